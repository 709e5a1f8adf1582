package attachcheck

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/dlvx/dlvx/finding"
)

const (
	podmanCaps = "00000000a80425fb" // podman's default set
	netAdmin   = "00000000a80435fb" // the same plus NET_ADMIN (bit 12)
	idA        = "4be6e6a28546dc38a48e913caed4af87f21a3c627f899dd39b08f111202e2d3d"
	idB        = "a7bae165cd041ef806ce772a015c2600ee424bd48bcc17d91c0df9e5ad7599f1"
)

// sidecarHost is a fake host where the debugger runs in podman container
// idA and pid 200 in container idB, both root with podman's capabilities.
func sidecarHost(t *testing.T, targetCaps string) *fakeHost {
	h := newFakeHost(t)
	h.write("self/status", status("dlvx", h.self, 1, h.uid, "R (running)", podmanCaps, "CapPrm:\t"+podmanCaps))
	h.write("self/cgroup", "6:freezer:/libpod_parent/libpod-"+idA+"\n")
	h.process(200, 1, h.uid, "/app/service", []string{"/app/service"}, "CapPrm:\t"+targetCaps, "CapEff:\t"+targetCaps)
	h.write("200/cgroup", "6:freezer:/libpod_parent/libpod-"+idB+"\n")
	return h
}

func TestCapsetNotSubset(t *testing.T) {
	h := sidecarHost(t, netAdmin)
	rep := h.diagnose(200)
	if got, want := ids(rep, finding.SevWarn), []string{"AT-CONTAINER-CAPSET"}; !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	f := find(rep, "AT-CONTAINER-CAPSET")
	if !strings.Contains(f.Evidence[1].Fact, "lacking NET_ADMIN,") {
		t.Errorf("evidence does not name the missing capability: %+v", f.Evidence)
	}
	want := "podman run -it --rm --pid=container:" + idB[:12] + " --cap-add=SYS_PTRACE IMAGE dlvx attach 200"
	if !hasFix(f, want) {
		t.Errorf("no sidecar fix %q: %+v", want, f.Fixes)
	}
	if hasFix(f, "sudo") {
		t.Errorf("a container fix proposes sudo: %+v", f.Fixes)
	}

	h.write("self/status", status("dlvx", h.self, 1, h.uid, "R (running)", podmanCaps, "CapPrm:\t"+podmanCaps, "CapEff:\t00000000a80c25fb"))
	if got := ids(h.diagnose(200), finding.SevWarn); len(got) != 0 {
		t.Errorf("with CAP_SYS_PTRACE: findings %v, want none", got)
	}
	h = sidecarHost(t, podmanCaps)
	if got := ids(h.diagnose(200), finding.SevWarn); len(got) != 0 {
		t.Errorf("equal sets: findings %v, want none", got)
	}
}

func TestCapNames(t *testing.T) {
	if got, want := CapNames(1<<12|1<<19|1<<45), []string{"NET_ADMIN", "SYS_PTRACE", "cap45"}; !slices.Equal(got, want) {
		t.Errorf("CapNames = %v, want %v", got, want)
	}
}

func TestSameContainerFixes(t *testing.T) {
	h := sidecarHost(t, podmanCaps)
	h.write("200/cgroup", "6:freezer:/libpod_parent/libpod-"+idA+"\n")
	h.process(201, 1, 1000, "/app/service", []string{"/app/service"})
	h.write("201/cgroup", "6:freezer:/libpod_parent/libpod-"+idA+"\n")
	h.write("self/status", status("dlvx", h.self, 1, 0, "R (running)", podmanCaps, "CapPrm:\t"+podmanCaps))
	f := find(h.diagnose(201), "AT-CONTAINER-CAP")
	if f == nil {
		t.Fatal("root without SYS_PTRACE, other uid: no AT-CONTAINER-CAP")
	}
	for _, want := range []string{"podman exec -it --user 1000 " + idA[:12] + " dlvx attach 201", "podman exec -it --privileged " + idA[:12]} {
		if !hasFix(f, want) {
			t.Errorf("no fix %q: %+v", want, f.Fixes)
		}
	}
	if hasFix(f, "sudo") {
		t.Errorf("a container fix proposes sudo: %+v", f.Fixes)
	}
}

func TestPodFixes(t *testing.T) {
	h := sidecarHost(t, netAdmin)
	h.env.Getenv = func(k string) string {
		if k == "KUBERNETES_SERVICE_HOST" {
			return "10.0.0.1"
		}
		return ""
	}
	f := find(h.diagnose(200), "AT-CONTAINER-CAPSET")
	if f == nil || !hasFix(f, "kubectl debug -it POD --target=CONTAINER --image=IMAGE --profile=general -- dlvx attach 200") {
		t.Fatalf("no kubectl debug fix: %+v", f)
	}
}

func TestFrozenCgroup(t *testing.T) {
	for _, v := range []struct{ name, cgroup, mount, file, state string }{
		{"v1", "6:freezer:/libpod_parent/libpod-" + idB, "cgroup cgroup rw,freezer", "freezer.state", "FROZEN\n"},
		{"v2", "0::/system.slice/libpod-" + idB + ".scope", "cgroup2 cgroup2 rw", "cgroup.freeze", "1\n"},
	} {
		t.Run(v.name, func(t *testing.T) {
			h := sidecarHost(t, podmanCaps)
			h.write("200/cgroup", v.cgroup+"\n")
			mnt := filepath.Join(t.TempDir(), "cgroup")
			h.write("self/mountinfo", fmt.Sprintf("37 31 0:34 / %s rw,relatime - %s\n", mnt, v.mount))
			dir := filepath.Join(mnt, strings.SplitN(v.cgroup, ":", 3)[2])
			h.mkdir(dir)
			if err := os.WriteFile(filepath.Join(dir, v.file), []byte(v.state), 0o644); err != nil {
				t.Fatal(err)
			}
			rep := h.diagnose(200)
			f := find(rep, "AT-STATE-FROZEN")
			if f == nil || !hasFix(f, "podman unpause "+idB[:12]) {
				t.Fatalf("want AT-STATE-FROZEN with podman unpause, got %+v", rep.Findings)
			}
			var ce *CauseError
			if err := RefuseFrozen(h.env, 200); !errors.Is(err, ErrNotAttempted) || !errors.As(err, &ce) || ce.Cause.ID != "AT-STATE-FROZEN" {
				t.Errorf("RefuseFrozen of a frozen process = %v, want a *CauseError for AT-STATE-FROZEN wrapping ErrNotAttempted", err)
			}
			thawed := map[string]string{"v1": "THAWED\n", "v2": "0\n"}[v.name]
			if err := os.WriteFile(filepath.Join(dir, v.file), []byte(thawed), 0o644); err != nil {
				t.Fatal(err)
			}
			if f := find(h.diagnose(200), "AT-STATE-FROZEN"); f != nil {
				t.Errorf("thawed cgroup reported frozen: %+v", f)
			}
			if err := RefuseFrozen(h.env, 200); err != nil {
				t.Errorf("RefuseFrozen of a thawed process = %v, want nil", err)
			}
		})
	}
}

func TestPlaceFromCgroup(t *testing.T) {
	for _, c := range []struct {
		cgroup, runtime string
		pod             bool
	}{
		{"0::/system.slice/docker-" + idA + ".scope", "docker", false},
		{"12:freezer:/docker/" + idA, "docker", false},
		{"0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-" + idA + ".scope", "containerd", true},
		{"0::/kubepods/besteffort/pod1234/crio-" + idA, "cri-o", true},
		{"6:freezer:/libpod_parent/libpod-" + idA, "podman", false},
		{"0::/", "", false},
	} {
		p := placeFrom("cgroup", []byte(c.cgroup+"\n"), "", nil, "")
		if p.Runtime != c.runtime || p.Pod != c.pod || (c.runtime != "" && p.ID != idA) {
			t.Errorf("%s: %+v, want runtime %q pod %v", c.cgroup, p, c.runtime, c.pod)
		}
	}
}

func TestCauseErrorEndsWithFix(t *testing.T) {
	f := finding.New("AT-CONTAINER-CAPSET", ev("/proc/1/status", "CapPrm: x"))
	f.Fixes = []finding.Fix{fix("start the sidecar", "podman", "run", "IMAGE")}
	err := error(&CauseError{PID: 1, Cause: f, Err: syscall.EPERM})
	want := "could not attach to pid 1: operation not permitted: process holds capabilities the debugger lacks (AT-CONTAINER-CAPSET: CapPrm: x); fix: start the sidecar: podman run IMAGE"
	if err.Error() != want {
		t.Errorf("error\n%s\nwant\n%s", err, want)
	}
	if !errors.Is(err, syscall.EPERM) {
		t.Error("errors.Is(EPERM) is false")
	}
}

func TestGonePIDNamesPID(t *testing.T) {
	h := newFakeHost(t)
	if rep := h.diagnose(4242); rep.Binary != "pid 4242" {
		t.Errorf("report of a gone pid names %q", rep.Binary)
	}
}

func TestPodProbeWarning(t *testing.T) {
	h := sidecarHost(t, podmanCaps)
	h.write("200/cgroup", "0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-"+idB+".scope\n")
	f := find(h.diagnose(200), "AT-CONTAINER-PROBE")
	if f == nil || !hasFix(f, "--continue") || f.Severity != finding.SevWarn {
		t.Fatalf("want an AT-CONTAINER-PROBE warning with --continue, got %+v", f)
	}
	h = sidecarHost(t, podmanCaps)
	if f := find(h.diagnose(200), "AT-CONTAINER-PROBE"); f != nil {
		t.Errorf("a podman container is no pod: %+v", f)
	}
}

// TestRefusedReadIsEvidence injects a refused readlink of /proc/PID/exe
// (root cannot be refused in a fake tree): with no modelled cause it is a
// finding of its own; with one, evidence for that cause.
func TestRefusedReadIsEvidence(t *testing.T) {
	h := sidecarHost(t, podmanCaps)
	s, err := Take(h.env, 200)
	if err != nil {
		t.Fatal(err)
	}
	s.Exe, s.ExeErr = "", &os.PathError{Op: "readlink", Path: "/proc/200/exe", Err: syscall.EACCES}
	fs, err := procAccess(s, nil)
	if err != nil || len(fs) != 1 || fs[0].ID != "AT-PTRACE-DENIED" || !strings.Contains(fs[0].Evidence[0].Fact, "permission denied") {
		t.Fatalf("unexplained refusal: %+v, %v; want AT-PTRACE-DENIED with the errno", fs, err)
	}
	s.Status.CapPrm = 1 << 12 // NET_ADMIN, which the debugger lacks
	if fs, _ := procAccess(s, nil); len(fs) != 0 {
		t.Errorf("explained refusal reported twice: %+v", fs)
	}
	fs, _ = capabilities(s, nil)
	if len(fs) != 1 || !strings.Contains(fmt.Sprint(fs[0].Evidence), "readlink refused") {
		t.Errorf("AT-CONTAINER-CAPSET lacks the refused read: %+v", fs)
	}
}
