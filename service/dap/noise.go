package dap

import (
	"encoding/json"
	"strings"
)

// delveTrimpathWarning is the important output Delve sends after a launch
// or attach of a -trimpath executable (dap/server.go warnAboutTrimpathMaybe).
const delveTrimpathWarning = "Warning: debugging executable built with trimpath"

// isDuplicateWarning reports whether an event of Delve's only repeats a
// cause the layer's doctor already shows: Delve's trimpath warning, when
// a Doctor examined the executable. The doctor's BP-TRIMPATH says the
// same with its evidence and fixes, and is the one message dlvx can leave
// out when the launch configuration already maps the paths; Delve's line
// cannot be told apart from it, so it is Delve's that goes.
func (s *session) isDuplicateWarning(env envelope, content []byte) bool {
	if env.Type != "event" || env.Event != "output" || s.m.Doctor == nil || s.target.Binary() == "" {
		return false
	}
	var ev struct {
		Body struct {
			Category string `json:"category"`
			Output   string `json:"output"`
		} `json:"body"`
	}
	if json.Unmarshal(content, &ev) != nil {
		return false
	}
	return ev.Body.Category == "important" && strings.TrimSpace(ev.Body.Output) == delveTrimpathWarning
}
