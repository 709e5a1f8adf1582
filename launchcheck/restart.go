package launchcheck

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/dlvx/dlvx/finding"
)

// restartKept are the launch attributes Delve's restart does not apply:
// it rebuilds the launch's packages with the launch's build flags, and
// runs in the environment and working directory the launch set up
// (service/dap onRestartRequest, debugger.Restart). Program arguments
// and LaunchAttachCommonConfig's settings are applied.
var restartKept = []string{"mode", "program", "buildFlags", "env", "cwd", "output", "dlvCwd", "backend", "coreFilePath", "traceDirPath", "noDebug"}

// Restart judges a DAP restart request: args is the configuration the
// client sent with it (VS Code re-reads launch.json), launched the
// arguments of the session's launch. Each attribute Delve keeps from the
// launch although the restart changes it is one evidence of
// ENV-IDECONF-RESTART. An empty args says nothing.
func Restart(args, launched []byte) (*finding.Report, error) {
	rep := &finding.Report{Binary: "restart request"}
	if len(bytes.TrimSpace(args)) == 0 || len(bytes.TrimSpace(launched)) == 0 {
		return rep, nil
	}
	now, err := ParseRequest("restart", args)
	if err != nil {
		return nil, err
	}
	before, err := ParseRequest("launch", launched)
	if err != nil {
		return nil, err
	}
	if req, _ := now.String("request"); req == "attach" {
		return rep, nil // Delve does not restart a process it did not start
	}
	if now.Name != "" {
		rep.Binary = fmt.Sprintf("restart request of configuration %q", now.Name)
	}
	var ev []finding.Evidence
	for _, key := range restartKept {
		was, is := attrJSON(before, key), attrJSON(now, key)
		if !sameJSON(was, is) {
			ev = append(ev, finding.Evidencef("dap:restart.arguments."+key, "%s: the session was launched with %s, the restart asks for %s: Delve keeps the first", now.Label(), was, is))
		}
	}
	if len(ev) == 0 {
		return rep, nil
	}
	fd := finding.New("ENV-IDECONF-RESTART", ev...)
	fd.Fixes = []finding.Fix{{Summary: "stop the session (Shift+F5) and start it again (F5), instead of Restart (Ctrl+Shift+F5)"}}
	fd.Check = "restart"
	rep.Findings = []finding.Finding{fd}
	return rep, nil
}

// attrJSON returns an attribute's value as written, or "(none)".
func attrJSON(c *Config, key string) string {
	if a, ok := c.Attrs[key]; ok {
		return string(a.Value)
	}
	return "(none)"
}

// sameJSON compares two attribute values by meaning: spacing and key
// order aside, and an absent value equal to an empty one.
func sameJSON(a, b string) bool {
	var x, y any
	json.Unmarshal([]byte(a), &x)
	json.Unmarshal([]byte(b), &y)
	return fmt.Sprint(normalize(x)) == fmt.Sprint(normalize(y))
}

// normalize makes "(none)", null, "", [] and {} the same value.
func normalize(x any) any {
	switch t := x.(type) {
	case nil:
		return nil
	case string:
		if t == "" {
			return nil
		}
	case []any:
		if len(t) == 0 {
			return nil
		}
	case map[string]any:
		if len(t) == 0 {
			return nil
		}
	}
	return x
}
