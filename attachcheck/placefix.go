package attachcheck

import (
	"strconv"

	"github.com/dlvx/dlvx/finding"
)

// The fixes of attach findings are phrased for where the debugger runs
// (Snapshot.Where): a workstation gets sudo and setcap, a container gets
// the engine's exec or a debug sidecar sharing the process's PID
// namespace, which leaves the service running, and a Kubernetes pod gets
// kubectl debug and securityContext snippets. No fix restarts the
// process's container when a sidecar can do.

// attachArgv is "dlvx attach PID" for the PID the debugger will see: the
// process's own when it runs in a container the debugger joins.
func (s *Snapshot) attachArgv(inside bool) []string {
	pid := s.PID
	if inside {
		pid = s.innerPID()
	}
	return []string{"dlvx", "attach", strconv.Itoa(pid)}
}

// inPod reports whether the debugger or the process runs in a pod.
func (s *Snapshot) inPod() bool { return s.SelfPlace.Pod || s.Place.Pod }

// kubectlDebug is the ephemeral debug container for a pod: it shares the
// target container's PID namespace and, with the general profile, holds
// CAP_SYS_PTRACE.
func (s *Snapshot) kubectlDebug() finding.Fix {
	argv := append([]string{"kubectl", "debug", "-it", "POD", "--target=CONTAINER", "--image=IMAGE", "--profile=general", "--"}, s.attachArgv(true)...)
	return fix("Kubernetes: debug from an ephemeral container (the general profile adds SYS_PTRACE; the pod keeps running)", argv...)
}

// sidecar is a debug container sharing the process's PID namespace, run
// by the process's container engine, with extra podman/docker run options.
func (s *Snapshot) sidecar(summary string, opts ...string) finding.Fix {
	argv := []string{s.Place.Engine(), "run", "-it", "--rm", "--pid=container:" + s.Place.Ref()}
	argv = append(append(argv, opts...), "IMAGE")
	return fix(summary, append(argv, s.attachArgv(true)...)...)
}

// capFixesHere returns how to give the debugger CAP_SYS_PTRACE where it runs.
func (s *Snapshot) capFixesHere() []finding.Fix {
	if s.inPod() {
		return []finding.Fix{s.kubectlDebug(),
			fix(`Kubernetes: or add the capability to the debugging container: securityContext: {capabilities: {add: ["SYS_PTRACE"]}}`)}
	}
	switch s.Where() {
	case SameContainer:
		e, ref := s.SelfPlace.Engine(), s.SelfPlace.Ref()
		return []finding.Fix{
			fix("from the host, run the debugger in the container with every capability", append([]string{e, "exec", "-it", "--privileged", ref}, s.attachArgv(true)...)...),
			s.sidecar("or from the host, start a debug sidecar that holds the capability", "--cap-add=SYS_PTRACE"),
		}
	case Sidecar:
		return []finding.Fix{s.sidecar("from the host, start the debug sidecar again with the capability (the service keeps running)", "--cap-add=SYS_PTRACE")}
	case HostToInside:
		fs := s.hostCapFixes()
		return append(fs, s.sidecar("or debug from a sidecar sharing the container's PID namespace", "--cap-add=SYS_PTRACE"))
	case ContainerToHost:
		// The process's place is unreadable from here: the generic advice.
		return capFixes()
	}
	return s.hostCapFixes()
}

// hostCapFixes are the capability fixes for a debugger on a host.
func (s *Snapshot) hostCapFixes() []finding.Fix {
	argv := s.attachArgv(false)
	if s.selfRoot() {
		return []finding.Fix{fix("run the debugger without dropping the capability (capsh --drop, setpriv, systemd CapabilityBoundingSet=)")}
	}
	if !s.hasSudo() {
		return []finding.Fix{fix("as root (this system has no sudo), grant the capability to dlvx once", "setcap", "cap_sys_ptrace=eip", "/path/to/dlvx")}
	}
	return []finding.Fix{
		fix("debug as root", append([]string{"sudo"}, argv...)...),
		fix("grant the capability to dlvx once", "sudo", "setcap", "cap_sys_ptrace=eip", "/path/to/dlvx"),
	}
}

// userFixesHere returns how to run the debugger as uid, the process's user.
func (s *Snapshot) userFixesHere(uid int) []finding.Fix {
	u := strconv.Itoa(uid)
	if s.inPod() {
		return []finding.Fix{
			fix("Kubernetes: run the debugging container as the process's user: securityContext: {runAsUser: " + u + "}; kubectl debug --profile=general runs it with SYS_PTRACE too"),
			s.kubectlDebug(),
		}
	}
	switch s.Where() {
	case SameContainer:
		e, ref := s.SelfPlace.Engine(), s.SelfPlace.Ref()
		return []finding.Fix{fix("from the host, run the debugger in the container as the process's user", append([]string{e, "exec", "-it", "--user", u, ref}, s.attachArgv(true)...)...)}
	case Sidecar:
		return []finding.Fix{s.sidecar("from the host, start the debug sidecar as the process's user", "--user", u)}
	}
	if !s.hasSudo() {
		return []finding.Fix{fix("log in as uid " + u + " or as root and run the debugger there (this system has no sudo)")}
	}
	argv := s.attachArgv(false)
	return []finding.Fix{
		fix("debug as the process's user", append([]string{"sudo", "-u", "#" + u}, argv...)...),
		fix("debug as root", append([]string{"sudo"}, argv...)...),
	}
}

// seccompFixesHere returns how to run the debugger without a seccomp
// filter that denies ptrace.
func (s *Snapshot) seccompFixesHere() []finding.Fix {
	if s.inPod() {
		return []finding.Fix{fix("Kubernetes: set securityContext.seccompProfile.type: Unconfined on the debugging container"), s.kubectlDebug()}
	}
	switch s.Where() {
	case SameContainer, Sidecar:
		return []finding.Fix{s.sidecar("from the host, start a debug sidecar without the filter (the service keeps running)", "--cap-add=SYS_PTRACE", "--security-opt", "seccomp=unconfined")}
	}
	return []finding.Fix{
		fix("Docker/podman: run the debugger's container without the filter (or with a profile allowing ptrace)", "docker", "run", "--cap-add=SYS_PTRACE", "--security-opt", "seccomp=unconfined", "IMAGE"),
		fix("systemd: remove ptrace from the unit's SystemCallFilter="),
	}
}
