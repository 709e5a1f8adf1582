package dap

import (
	"encoding/json"
	"testing"
)

// rewriteLines moves only the line of the breakpoints it is told to, in
// breakpoints and in the deprecated lines member, and keeps every other
// member as the client sent it.
func TestRewriteLines(t *testing.T) {
	in := `{"seq":7,"type":"request","command":"setBreakpoints","arguments":{"source":{"path":"/src/main.go","name":"main.go"},` +
		`"breakpoints":[{"line":3,"condition":"i > 2"},{"line":9,"logMessage":"x={x}","hitCondition":"2"}],"lines":[3,9],"sourceModified":false}}`
	out, err := rewriteLines([]byte(in), []lineMove{{index: 1, from: 9, to: 11}})
	if err != nil {
		t.Fatal(err)
	}
	var got, want map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(in), &want)
	args := want["arguments"].(map[string]any)
	args["breakpoints"].([]any)[1].(map[string]any)["line"] = float64(11)
	args["lines"].([]any)[1] = float64(11)
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("rewritten request\n%s\nwant\n%s", g, w)
	}
}
