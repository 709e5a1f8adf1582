package dap

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	godap "github.com/google/go-dap"
)

// keysLinter is a real RequestLinter, not a canned one: it reports each
// argument it does not know, and fails on arguments that are not an
// object. It records the commands it was asked about.
type keysLinter struct {
	known    []string
	commands []string
	launched []string // LintRequest.Launched of each call
}

func (l *keysLinter) Lint(_ context.Context, req LintRequest) (Report, error) {
	command := req.Command
	l.commands = append(l.commands, command)
	l.launched = append(l.launched, string(req.Launched))
	var m map[string]json.RawMessage
	if err := json.Unmarshal(req.Args, &m); err != nil {
		return Report{}, fmt.Errorf("arguments: %w", err)
	}
	var rep Report
	for k := range m {
		if !slices.Contains(l.known, k) {
			rep.Important = append(rep.Important, "unknown attribute "+k)
		}
	}
	if len(rep.Important) > 0 {
		rep.Detail = fmt.Sprintf("%s: %d unknown attributes", command, len(rep.Important))
	}
	return rep, nil
}

// readOutput reads the next message to the client and returns it as an
// output event, failing the test on anything else.
func readOutput(t *testing.T, r *relay) godap.OutputEventBody {
	t.Helper()
	b := readFrame(t, r.cr)
	msg, err := godap.DecodeProtocolMessage(b)
	out, ok := msg.(*godap.OutputEvent)
	if err != nil || !ok {
		t.Fatalf("client got %s (%v), want an output event", b, err)
	}
	return out.Body
}

// The lint's report reaches the client before the doctor's and before
// Delve sees the request, which it gets byte for byte.
func TestLintBeforeDoctorAndDelve(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	lint := &keysLinter{known: []string{"mode", "program"}}
	doc := &sectionDoctor{}
	r := startRelay(t, &Middleware{Linter: lint, Doctor: doc})
	launch := `{"seq":1,"type":"request","command":"launch","arguments":{"mode":"exec","program":` + strconv.Quote(exe) + `,"buildflags":"-trimpath"}}`
	write(t, r.client, frame(launch))

	if got := readOutput(t, r); got.Category != "important" || got.Output != "unknown attribute buildflags\n" {
		t.Errorf("first output %+v, want the lint's important line", got)
	}
	if got := readOutput(t, r); got.Category != "console" || got.Output != "launch: 1 unknown attributes\n" {
		t.Errorf("second output %+v, want the lint's detail", got)
	}
	want, err := doc.Examine(t.Context(), exe)
	if err != nil {
		t.Fatal(err)
	}
	for range want.Important {
		if got := readOutput(t, r); got.Category != "important" {
			t.Errorf("after the lint: %+v, want the doctor's important lines", got)
		}
	}
	if got := readOutput(t, r); got.Output != want.Detail+"\n" {
		t.Errorf("after the lint: %+v, want the doctor's detail", got)
	}
	if got := readFrame(t, r.ar); string(got) != launch {
		t.Errorf("Delve got %s, want the request unchanged", got)
	}
}

// A lint that cannot run says so in the console and the request goes on;
// requests other than launch and attach are not linted.
func TestLintFailureAndOtherRequests(t *testing.T) {
	lint := &keysLinter{}
	r := startRelay(t, &Middleware{Linter: lint})
	msgs := []string{
		`{"seq":1,"type":"request","command":"initialize","arguments":{"adapterID":"go"}}`,
		`{"seq":2,"type":"request","command":"attach","arguments":[1,2]}`,
	}
	write(t, r.client, frame(msgs[0]))
	if got := readFrame(t, r.ar); string(got) != msgs[0] {
		t.Fatalf("Delve got %s", got)
	}
	write(t, r.client, frame(msgs[1]))
	out := readOutput(t, r)
	if out.Category != "console" || !strings.Contains(out.Output, "the attach request could not be checked: arguments:") || !strings.Contains(out.Output, ErrIDDoctorFailed.String()) {
		t.Errorf("output %+v, want the lint's failure with %v", out, ErrIDDoctorFailed)
	}
	if got := readFrame(t, r.ar); string(got) != msgs[1] {
		t.Errorf("Delve got %s, want the request unchanged", got)
	}
	if !slices.Equal(lint.commands, []string{"attach"}) {
		t.Errorf("linted %v, want only the attach", lint.commands)
	}
}

// A restart is linted with its new configuration and the arguments of the
// session's launch; a restart before any launch is left to Delve.
func TestLintRestart(t *testing.T) {
	lint := &keysLinter{known: []string{"mode", "program"}}
	r := startRelay(t, &Middleware{Linter: lint})
	msgs := []string{
		`{"seq":1,"type":"request","command":"restart","arguments":{"arguments":{"mode":"debug"}}}`,
		`{"seq":2,"type":"request","command":"launch","arguments":{"mode":"debug","program":"."}}`,
		`{"seq":3,"type":"request","command":"restart","arguments":{"arguments":{"mode":"debug","program":".","buildFlags":"-tags=x"}}}`,
	}
	for _, m := range msgs[:2] {
		write(t, r.client, frame(m))
		if got := readFrame(t, r.ar); string(got) != m {
			t.Fatalf("Delve got %s, want %s", got, m)
		}
	}
	write(t, r.client, frame(msgs[2]))
	if got := readOutput(t, r); got.Category != "important" || got.Output != "unknown attribute buildFlags\n" {
		t.Errorf("restart: %+v, want the lint of its configuration", got)
	}
	readOutput(t, r)
	if got := readFrame(t, r.ar); string(got) != msgs[2] {
		t.Errorf("Delve got %s, want the restart unchanged", got)
	}
	want := []string{"launch", "restart"}
	if !slices.Equal(lint.commands, want) || lint.launched[1] != `{"mode":"debug","program":"."}` {
		t.Errorf("linted %v with launches %q, want %v with the launch's arguments", lint.commands, lint.launched, want)
	}
}
