package attachcheck

import (
	"strconv"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// podProbes warns, for a process in a Kubernetes pod, that the kubelet's
// liveness probe restarts a container the debugger keeps stopped.
func podProbes(s *Snapshot, _ *dwarfcheck.Input) ([]finding.Finding, error) {
	if !s.alive() {
		return nil, finding.ErrNotApplicable
	}
	if !s.Place.Pod {
		return nil, nil
	}
	f := finding.New("AT-CONTAINER-PROBE")
	for _, e := range s.Place.Evidence {
		f.Evidence = append(f.Evidence, ev("process's place", "%s", e))
	}
	pid := strconv.Itoa(s.innerPID())
	f.Fixes = []finding.Fix{
		fix("attach headless and let the process run; stop it only briefly", "dlvx", "attach", pid, "--headless", "--continue", "--accept-multiclient", "--listen=127.0.0.1:2345"),
		fix("while debugging, relax the liveness probe (kubectl edit deployment: livenessProbe.failureThreshold, periodSeconds) or remove it"),
	}
	return []finding.Finding{f}, nil
}
