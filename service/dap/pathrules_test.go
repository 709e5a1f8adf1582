package dap

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	godap "github.com/google/go-dap"
)

// prefixExplainer maps a file through the session's substitutePath rules,
// as Delve does, and says which path it judged: a real use of PathRules.
type prefixExplainer struct{}

func (prefixExplainer) ExplainLine(ctx context.Context, binary, file string, line int) (string, error) {
	for _, r := range PathRules(ctx) {
		if rest, ok := strings.CutPrefix(file, r.From); ok {
			return "judged " + r.To + rest, nil
		}
	}
	return "judged " + file + " unmapped", nil
}

func (prefixExplainer) ExplainFunction(context.Context, string, string) (string, error) {
	return "", nil
}

// explainOne launches exe with launchArgs (JSON members after "program"),
// sets one breakpoint at path:3, answers it as unverified from the
// adapter side and returns the message the client gets.
func explainOne(t *testing.T, exe, launchArgs, path string) string {
	t.Helper()
	r := startRelay(t, &Middleware{Explainer: prefixExplainer{}})
	launch := `{"seq":1,"type":"request","command":"launch","arguments":{"mode":"exec","program":` + strconv.Quote(exe) + launchArgs + `}}`
	set := `{"seq":2,"type":"request","command":"setBreakpoints","arguments":{"source":{"path":` + strconv.Quote(path) + `},"breakpoints":[{"line":3}]}}`
	for _, m := range []string{launch, set} {
		write(t, r.client, frame(m))
		readFrame(t, r.ar)
	}
	write(t, r.adapter, frame(`{"seq":1,"type":"response","request_seq":2,"success":true,"command":"setBreakpoints","body":{"breakpoints":[{"verified":false,"message":"could not find file"}]}}`))
	msg, err := godap.DecodeProtocolMessage(readFrame(t, r.cr))
	resp, ok := msg.(*godap.SetBreakpointsResponse)
	if err != nil || !ok || len(resp.Body.Breakpoints) != 1 {
		t.Fatalf("client got %#v, %v", msg, err)
	}
	return resp.Body.Breakpoints[0].Message
}

// The explainer judges the path Delve judged: the launch's substitutePath
// rules reach it. A malformed substitutePath (Delve rejects the launch)
// gives no rules and does not hide the binary.
func TestExplainerGetsSubstitutePath(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, args, want string
	}{
		{"rule", `,"substitutePath":[{"from":"/editor/src","to":"example.com/app"}]`, "judged example.com/app/main.go\ncould not find file"},
		{"none", ``, "judged /editor/src/main.go unmapped\ncould not find file"},
		{"malformed", `,"substitutePath":"/editor/src"`, "judged /editor/src/main.go unmapped\ncould not find file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := explainOne(t, exe, tc.args, "/editor/src/main.go"); got != tc.want {
				t.Errorf("message %q, want %q", got, tc.want)
			}
		})
	}
}

// A remote attach names no executable: the doctor examines the one the
// server says it debugs.
func TestRemoteAttachExaminesServedBinary(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	doc := &sectionDoctor{paths: make(chan string, 1)}
	r := startRelay(t, &Middleware{Doctor: doc, ServedBinary: func() string { return exe }})
	write(t, r.client, frame(`{"seq":1,"type":"request","command":"attach","arguments":{"mode":"remote"}}`))
	if got := <-doc.paths; got != exe {
		t.Errorf("doctor examined %s, want the served binary %s", got, exe)
	}
	for {
		msg, err := godap.DecodeProtocolMessage(readFrame(t, r.cr))
		if _, ok := msg.(*godap.OutputEvent); err != nil || !ok {
			t.Fatalf("client got %#v, %v; want the doctor's output", msg, err)
		}
		if msg.(*godap.OutputEvent).Body.Category == "console" {
			break
		}
	}
	if got := decodeMap(t, readFrame(t, r.ar))["command"]; got != "attach" {
		t.Errorf("Delve got %v after the doctor, want the attach", got)
	}
}
