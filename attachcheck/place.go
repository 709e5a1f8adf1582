package attachcheck

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// A Place is where a process runs: on the host, or in a container of some
// runtime, perhaps in a Kubernetes pod, as its cgroup, its files and its
// environment show.
type Place struct {
	Runtime  string   // "podman", "docker", "containerd", "cri-o"; "" when unknown or on the host
	Pod      bool     // a Kubernetes pod
	ID       string   // the container's ID, when the cgroup path names it
	Evidence []string // the markers found, each "source: fact"
}

// Container reports whether any marker says the process runs in a container.
func (p Place) Container() bool { return len(p.Evidence) > 0 }

// Engine returns the command that manages the container: podman or
// docker (the default for runtimes without a command of their own).
func (p Place) Engine() string {
	if p.Runtime == "podman" {
		return "podman"
	}
	return "docker"
}

// Ref returns how a container command names the container: its short ID,
// or the placeholder CONTAINER.
func (p Place) Ref() string {
	if len(p.ID) >= 12 {
		return p.ID[:12]
	}
	return "CONTAINER"
}

// cgroupRuntimes are the cgroup path patterns of container runtimes, in
// the order they are tried; the first group is the container ID.
var cgroupRuntimes = []struct {
	runtime string
	re      *regexp.Regexp
}{
	{"podman", regexp.MustCompile(`libpod-(?:conmon-)?([0-9a-f]{64})`)},
	{"cri-o", regexp.MustCompile(`crio-([0-9a-f]{64})`)},
	{"containerd", regexp.MustCompile(`cri-containerd-([0-9a-f]{64})`)},
	{"docker", regexp.MustCompile(`docker[-/]([0-9a-f]{64})`)},
	{"containerd", regexp.MustCompile(`/([0-9a-f]{64})(?:\.scope)?$`)},
}

// placeFrom reads a place from a process's cgroup text, its root
// directory and its environment (each may be missing).
func placeFrom(cgroupSrc string, cgroup []byte, root string, env func(string) string, envSrc string) Place {
	var p Place
	for _, line := range strings.Split(string(cgroup), "\n") {
		_, path, ok := strings.Cut(line, ":")
		if _, path, ok = strings.Cut(path, ":"); !ok || path == "/" {
			continue
		}
		if strings.Contains(path, "kubepods") && !p.Pod {
			p.Pod = true
			p.Evidence = append(p.Evidence, cgroupSrc+": a kubepods cgroup")
		}
		for _, r := range cgroupRuntimes {
			if m := r.re.FindStringSubmatch(path); m != nil && p.ID == "" {
				p.Runtime, p.ID = r.runtime, m[1]
				p.Evidence = append(p.Evidence, cgroupSrc+": "+strings.TrimPrefix(path, "/"))
			}
		}
	}
	for _, m := range []struct{ file, runtime string }{{"run/.containerenv", "podman"}, {".dockerenv", "docker"}} {
		if root == "" {
			break
		}
		if _, err := os.Stat(filepath.Join(root, m.file)); err == nil {
			p.Evidence = append(p.Evidence, filepath.Join(root, m.file)+": exists")
			if p.Runtime == "" {
				p.Runtime = m.runtime
			}
		}
	}
	if env != nil && env("KUBERNETES_SERVICE_HOST") != "" {
		p.Pod = true
		p.Evidence = append(p.Evidence, envSrc+": KUBERNETES_SERVICE_HOST is set")
	}
	return p
}

// environ returns a lookup function over /proc/PID/environ, or nil when it
// cannot be read (another user's process).
func environ(path string) func(string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	vars := map[string]string{}
	for _, kv := range bytes.Split(data, []byte{0}) {
		if k, v, ok := strings.Cut(string(kv), "="); ok {
			vars[k] = v
		}
	}
	return func(k string) string { return vars[k] }
}

// readPlaces fills the debugger's and the process's places.
func (s *Snapshot) readPlaces() {
	proc := s.Env.Proc
	cg, _ := os.ReadFile(procPath(proc, "self", "cgroup"))
	s.SelfPlace = placeFrom("/proc/self/cgroup", cg, s.Env.Root, s.Env.Getenv, "the debugger's environment")
	if !s.Exists() {
		return
	}
	pid := s.PID
	cg, _ = os.ReadFile(procPath(proc, pid, "cgroup"))
	s.Place = placeFrom(statusDir(pid)+"/cgroup", cg, procPath(proc, pid, "root"), environ(procPath(proc, pid, "environ")), statusDir(pid)+"/environ")
}

// statusDir names /proc/PID as an evidence source.
func statusDir(pid int) string { return "/proc/" + strconv.Itoa(pid) }

// Where says where the debugger runs relative to the process.
type Where int

// Where values.
const (
	OnHost          Where = iota // neither runs in a container
	HostToInside                 // the debugger on the host, the process in a container
	SameContainer                // both in the same container (docker exec, podman exec)
	Sidecar                      // the debugger in another container that sees the process
	ContainerToHost              // the debugger in a container, the process outside any
)

// Where returns the debugger's position relative to the process.
func (s *Snapshot) Where() Where {
	self, target := s.SelfPlace.Container(), s.Place.Container()
	switch {
	case !self && !target:
		return OnHost
	case !self:
		return HostToInside
	case !target:
		return ContainerToHost
	}
	if s.sameMountNS() || (s.SelfPlace.ID != "" && s.SelfPlace.ID == s.Place.ID) {
		return SameContainer
	}
	return Sidecar
}

// sameMountNS reports whether the debugger and the process share a mount
// namespace: they see the same files.
func (s *Snapshot) sameMountNS() bool {
	a, err1 := os.Readlink(procPath(s.Env.Proc, "self", "ns", "mnt"))
	b, err2 := os.Readlink(procPath(s.Env.Proc, s.PID, "ns", "mnt"))
	return err1 == nil && err2 == nil && a == b
}

// innerPID returns the process's PID in its own PID namespace (the last
// NSpid entry), which is what a sidecar sharing that namespace sees.
func (s *Snapshot) innerPID() int {
	if s.Status != nil && len(s.Status.NSpid) > 0 {
		return s.Status.NSpid[len(s.Status.NSpid)-1]
	}
	return s.PID
}

// hasSudo reports whether the debugger's filesystem has sudo.
func (s *Snapshot) hasSudo() bool {
	for _, p := range []string{"usr/bin/sudo", "bin/sudo", "usr/local/bin/sudo"} {
		if _, err := os.Stat(filepath.Join(s.Env.Root, p)); err == nil {
			return true
		}
	}
	return false
}
