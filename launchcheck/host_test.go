package launchcheck

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHostLSM reads SELinux and AppArmor state from fake /sys and /proc
// trees.
func TestHostLSM(t *testing.T) {
	tests := []struct {
		name  string
		sys   map[string]string
		proc  map[string]string
		dlv   string
		want  []string
		notOK bool
	}{
		{"selinux-deny", map[string]string{"fs/selinux/enforce": "1\n", "fs/selinux/booleans/deny_ptrace": "1 1\n"}, nil, "", []string{"AT-LSM-SELINUX"}, false},
		{"selinux-permissive", map[string]string{"fs/selinux/enforce": "0\n", "fs/selinux/booleans/deny_ptrace": "1 1\n"}, nil, "", nil, false},
		{"selinux-allowed", map[string]string{"fs/selinux/enforce": "1\n", "fs/selinux/booleans/deny_ptrace": "0 0\n"}, nil, "", nil, false},
		{"apparmor-self", map[string]string{"module/apparmor/parameters/enabled": "Y\n"}, map[string]string{"self/attr/apparmor/current": "snap.code.code (enforce)\n"}, "", []string{"AT-LSM-APPARMOR"}, false},
		{"apparmor-dlv", map[string]string{"module/apparmor/parameters/enabled": "Y\n", "kernel/security/apparmor/profiles": "/usr/bin/dlv (enforce)\nother (complain)\n"},
			map[string]string{"self/attr/apparmor/current": "unconfined\n"}, "/usr/bin/dlv", []string{"AT-LSM-APPARMOR"}, false},
		{"apparmor-unconfined", map[string]string{"module/apparmor/parameters/enabled": "Y\n"}, map[string]string{"self/attr/apparmor/current": "unconfined\n"}, "", nil, false},
		{"none", nil, nil, "", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := fakeHost(t)
			writeFiles(t, h.Sys, tc.sys)
			writeFiles(t, h.Proc, tc.proc)
			h.Dlv = tc.dlv
			res, err := finding.Run(h, HostChecks, finding.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) > 0 {
				t.Fatal(res.Errors[0])
			}
			if got := ids(res.Findings); !sameIDs(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestHostRRAndEBPF: the rr and eBPF checks run only when asked.
func TestHostRRAndEBPF(t *testing.T) {
	h := fakeHost(t)
	writeFiles(t, h.Proc, map[string]string{"sys/kernel/perf_event_paranoid": "3\n"})
	h.LookPath = func(string) (string, error) { return "", errors.New("not found") }
	res, _ := finding.Run(h, HostChecks, finding.Options{})
	if len(res.Findings) != 0 {
		t.Fatalf("not asked, got %v", ids(res.Findings))
	}
	h.Backend = "rr"
	res, _ = finding.Run(h, HostChecks, finding.Options{})
	if got := ids(res.Findings); !slices.Equal(got, []string{"ENV-RR-MISSING"}) {
		t.Errorf("rr missing: got %v", got)
	}
	h.LookPath = func(string) (string, error) { return "/usr/bin/rr", nil }
	res, _ = finding.Run(h, HostChecks, finding.Options{})
	if got := ids(res.Findings); !slices.Equal(got, []string{"ENV-RR-PERF"}) {
		t.Errorf("rr with paranoid 3: got %v", got)
	}
}

// TestHostReal runs the host checks on this machine: they must run
// without error, and SELinux deny_ptrace must agree with ptrace working
// (the project's tests attach with ptrace on this machine).
func TestHostReal(t *testing.T) {
	if _, err := os.Stat("/sys/fs"); err != nil {
		fixtures.Need(t, false, "no /sys: %v", err)
	}
	res, err := finding.Run(ThisHost(), HostChecks, finding.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors[0])
	}
	for _, f := range res.Findings {
		if f.ID == "AT-LSM-SELINUX" {
			t.Errorf("SELinux reported as denying ptrace on a machine whose tests trace: %v", f.Evidence)
		}
	}
}
