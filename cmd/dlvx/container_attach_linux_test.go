package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/internal/podman"
)

const dlvxIn = "/usr/local/bin/dlvx" // in the test image

// TestContainerAttachDefault attaches to a service with podman's default
// options from the host, from inside its container and from a sidecar.
func TestContainerAttachDefault(t *testing.T) {
	im := containerImage(t)
	s := im.startService(t, podman.Options{})
	script := filepath.Join(t.TempDir(), "attach.dlv")
	if err := os.WriteFile(script, []byte(attachScript), 0o644); err != nil {
		t.Fatal(err)
	}
	args := oneShot(dlvxBin, s.pid)
	args[3] = script
	out, code := runCmd(args...)
	attached(t, "host", out, code)
	out, code = im.run(t, append([]string{"exec", s.c.Name}, oneShot(dlvxIn, 1)...)...)
	attached(t, "inside", out, code)
	out, code = im.run(t, im.sidecarArgs(s, nil, oneShot(dlvxIn, 1)...)...)
	attached(t, "sidecar", out, code)
	s.serving(t)
}

// runCmd runs a host command and returns its combined output and status.
func runCmd(argv ...string) (string, int) {
	cmd := exec.Command(argv[0], argv[1:]...)
	out, _ := cmd.CombinedOutput()
	return string(out), cmd.ProcessState.ExitCode()
}

// TestContainerSidecarRefusedThenFixed covers the sidecar refusals: each
// is diagnosed, the attach error names the cause, and the fix the doctor
// prints makes the attach work.
func TestContainerSidecarRefusedThenFixed(t *testing.T) {
	im := containerImage(t)
	for _, c := range []struct {
		name      string
		target    podman.Options
		sidecar   []string
		cause     string
		fixWords  []string
		fixAvoids string
	}{
		{"cap-drop-all", podman.Options{}, []string{"--cap-drop=ALL"}, "AT-CONTAINER-CAPSET", []string{"--cap-add=SYS_PTRACE"}, ""},
		{"target-net-admin", podman.Options{CapAdd: []string{"NET_ADMIN"}}, nil, "AT-CONTAINER-CAPSET", []string{"--cap-add=SYS_PTRACE"}, ""},
		{"seccomp-denies-ptrace", podman.Options{}, []string{"--security-opt=seccomp=" + im.seccomp}, "AT-CONTAINER-SECCOMP", []string{"seccomp=unconfined"}, ""},
		{"sidecar-other-user", podman.Options{}, []string{"--user=1000"}, "AT-USER", []string{"--user", "0"}, "sudo"},
		{"target-other-user", podman.Options{User: "1000"}, nil, "AT-CONTAINER-CAP", []string{"--user", "1000"}, "sudo"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := im.startService(t, c.target)
			out, code := im.run(t, im.sidecarArgs(s, c.sidecar, oneShot(dlvxIn, 1)...)...)
			text := refused(t, "sidecar", out, code, c.cause)
			if strings.Contains(text, "IMAGE: operation not permitted") {
				t.Errorf("the errno follows the fix command:\n%s", text)
			}
			fixes := im.doctorFixes(t, c.cause, im.sidecarArgs(s, c.sidecar, dlvxIn, "doctor", "--pid", "1", "--json")...)
			for _, f := range fixes {
				if c.fixAvoids != "" && strings.Contains(strings.Join(f, " "), c.fixAvoids) {
					t.Errorf("fix proposes %s in a container: %q", c.fixAvoids, f)
				}
			}
			out, code = im.applyFix(t, fixWith(t, fixes, c.fixWords...))
			attached(t, "after the fix", out, code)
			s.serving(t)
		})
	}
}

// TestContainerExecOtherUser is podman exec as root into a container whose
// service runs as uid 1000: root there lacks SYS_PTRACE; the fixes (exec
// as the service's user, or --privileged) work.
func TestContainerExecOtherUser(t *testing.T) {
	im := containerImage(t)
	s := im.startService(t, podman.Options{User: "1000"})
	out, code := im.run(t, append([]string{"exec", "--user=0", s.c.Name}, oneShot(dlvxIn, 1)...)...)
	refused(t, "exec as root", out, code, "AT-CONTAINER-CAP")
	fixes := im.doctorFixes(t, "AT-CONTAINER-CAP", "exec", "--user=0", s.c.Name, dlvxIn, "doctor", "--pid", "1", "--json")
	for _, words := range [][]string{{"exec", "--user", "1000"}, {"exec", "--privileged"}} {
		out, code = im.applyFix(t, fixWith(t, fixes, words...))
		attached(t, "after the fix "+strings.Join(words, " "), out, code)
	}
	s.serving(t)
}

// TestContainerExecutableSeenByTheProcess deletes, or replaces, the
// service's executable inside its container: host, inside and sidecar all
// give the same verdict, judged in the process's own filesystem.
func TestContainerExecutableSeenByTheProcess(t *testing.T) {
	im := containerImage(t)
	for _, c := range []struct {
		name string
		act  func(t *testing.T, path string)
		want string
	}{
		{"deleted", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}, "AT-EXEDEL"},
		{"replaced", func(t *testing.T, path string) {
			data, err := os.ReadFile(path)
			if err == nil {
				err = os.WriteFile(path+".new", data, 0o755)
			}
			if err == nil {
				err = os.Rename(path+".new", path)
			}
			if err != nil {
				t.Fatal(err)
			}
		}, "AT-EXEDEL-REPLACED"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := im.startService(t, podman.Options{})
			c.act(t, "/proc/"+strconv.Itoa(s.pid)+"/root/app/service")
			host, _ := runCmd(dlvxBin, "doctor", "--pid", strconv.Itoa(s.pid))
			inside, _ := im.run(t, "exec", s.c.Name, dlvxIn, "doctor", "--pid", "1")
			side, _ := im.run(t, im.sidecarArgs(s, nil, dlvxIn, "doctor", "--pid", "1")...)
			for where, out := range map[string]string{"host": host, "inside": inside, "sidecar": side} {
				ids := findingIDs(out, "AT-EXEDEL")
				if len(ids) != 1 || ids[0] != c.want {
					t.Errorf("%s: findings %v, want [%s]:\n%s", where, ids, c.want, out)
				}
			}
		})
	}
}

// findingIDs returns the IDs with prefix in a text report, in order.
func findingIDs(out, prefix string) []string {
	var ids []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && strings.HasPrefix(f[0], "[") && strings.HasPrefix(f[1], prefix) {
			ids = append(ids, f[1])
		}
	}
	return ids
}
