package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/finding"
)

// TestConsoleGolden fixes the shorter renderings: the DAP console's
// important lines and detail, the message of an unverified breakpoint,
// the preflight's lines and --explain.
func TestConsoleGolden(t *testing.T) {
	rep := sample()
	render := map[string]func(*bytes.Buffer) error{
		"console-report": func(b *bytes.Buffer) error {
			c, err := ConsoleReport(rep)
			writeConsole(b, c)
			return err
		},
		"console-findings": func(b *bytes.Buffer) error {
			c, err := ConsoleFindings("dlvx", rep.Findings)
			writeConsole(b, c)
			return err
		},
		"verdict": func(b *bytes.Buffer) error {
			_, err := b.WriteString(Verdict(append(rep.Findings[:1:1], rep.Findings[3])) + "\n")
			return err
		},
		"brief": func(b *bytes.Buffer) error {
			for _, f := range rep.Findings[:2] {
				if err := Brief(b, "dlvx: preflight", f); err != nil {
					return err
				}
			}
			return nil
		},
		"explain": func(b *bytes.Buffer) error { return Explain(b, "bp-pie") },
	}
	for name, f := range render {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := f(&b); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name, b.Bytes())
		})
	}
}

func writeConsole(b *bytes.Buffer, c Console) {
	for _, l := range c.Important {
		b.WriteString("important: " + l + "\n")
	}
	b.WriteString("detail:\n" + c.Detail)
}

// A clean report and info-level findings raise no important line; a
// report still shows its info findings nowhere, a notice in its detail.
func TestConsoleSilence(t *testing.T) {
	pie := finding.New("BP-PIE", finding.Evidencef("elf:header", "e_type ET_DYN"))
	c, err := ConsoleReport(&finding.Report{Result: finding.Result{Findings: []finding.Finding{pie}}})
	if err != nil || len(c.Important) != 0 || c.Detail != "" {
		t.Errorf("report with one info finding: %+v, %v; want nothing", c, err)
	}
	c, err = ConsoleFindings("dlvx", []finding.Finding{pie})
	if err != nil || len(c.Important) != 0 || !strings.Contains(c.Detail, "BP-PIE") {
		t.Errorf("info notice: %+v, %v; want no important line and the finding in the detail", c, err)
	}
	for _, l := range c.Important {
		if strings.Contains(l, "\n") {
			t.Errorf("important line with a newline: %q", l)
		}
	}
}

func TestExplainUnknown(t *testing.T) {
	var b bytes.Buffer
	if err := Explain(&b, "BP-NOSUCH"); err == nil || b.Len() != 0 {
		t.Errorf("Explain(BP-NOSUCH) = %v, wrote %q; want an error and nothing written", err, b.String())
	}
}
