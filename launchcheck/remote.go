package launchcheck

import (
	"bufio"
	"fmt"
	"net"
	"net/rpc/jsonrpc"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dlvx/dlvx/finding"
	"github.com/go-delve/delve/pkg/goversion"
	"github.com/go-delve/delve/service/api"
)

// remoteInfo is what the doctor learned about a debug server.
type remoteInfo struct {
	Addr    string
	Version *api.GetVersionOut
	Sources []string // nil when not probed
}

// A listener is the process found listening on a local port.
type listener struct {
	PID     int // 0 when the socket's owner is not visible here
	Cmdline []string
}

// localListener looks the port up in proc's net/tcp tables; ok is false
// when nothing listens there.
func localListener(proc string, port int) (l listener, ok bool, err error) {
	var inode string
	for _, name := range []string{"net/tcp", "net/tcp6"} {
		f, err := os.Open(filepath.Join(proc, name))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) < 10 || fs[3] != "0A" { // 0A: TCP_LISTEN
				continue
			}
			_, hexPort, _ := strings.Cut(fs[1], ":")
			if p, err := strconv.ParseUint(hexPort, 16, 16); err == nil && int(p) == port {
				inode = fs[9]
			}
		}
		f.Close()
		if inode != "" {
			break
		}
	}
	if inode == "" {
		return listener{}, false, nil
	}
	return socketOwner(proc, "socket:["+inode+"]"), true, nil
}

// socketOwner finds the process holding a socket, through its fd links.
func socketOwner(proc, link string) listener {
	ents, _ := os.ReadDir(proc)
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		fds, _ := os.ReadDir(filepath.Join(proc, e.Name(), "fd"))
		for _, fd := range fds {
			if l, _ := os.Readlink(filepath.Join(proc, e.Name(), "fd", fd.Name())); l == link {
				data, _ := os.ReadFile(filepath.Join(proc, e.Name(), "cmdline"))
				return listener{PID: pid, Cmdline: strings.Split(strings.TrimRight(string(data), "\x00"), "\x00")}
			}
		}
	}
	return listener{}
}

// isLocalHost reports whether host names this machine.
func isLocalHost(host string) bool {
	if host == "" || host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// probeServer asks a Delve headless server, over JSON-RPC, its version
// and its binary's source files, then disconnects.
func probeServer(addr string, timeout time.Duration) (*remoteInfo, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(timeout))
	c := jsonrpc.NewClient(conn)
	defer c.Close()
	info := &remoteInfo{Addr: addr, Version: &api.GetVersionOut{}}
	if err := c.Call("RPCServer.GetVersion", api.GetVersionIn{}, info.Version); err != nil {
		return nil, &ProbeError{Addr: addr, Err: err}
	}
	var src struct{ Sources []string }
	if err := c.Call("RPCServer.ListSources", struct{ Filter string }{}, &src); err != nil {
		return nil, &ProbeError{Addr: addr, Err: err}
	}
	info.Sources = src.Sources
	if info.Sources == nil {
		info.Sources = []string{}
	}
	return info, nil
}

// A ProbeError reports a server that accepted the connection but did not
// answer as a Delve JSON-RPC server.
type ProbeError struct {
	Addr string
	Err  error
}

func (e *ProbeError) Error() string { return fmt.Sprintf("ask %s for its version: %v", e.Addr, e.Err) }
func (e *ProbeError) Unwrap() error { return e.Err }

// remoteAddr returns the server a configuration connects to, if any: an
// attach in mode remote, or any configuration with a port (vscode-go then
// connects to an external server instead of starting dlv).
func (l *Launch) remoteAddr() (string, bool) {
	_, hasPort := l.Cfg.Attrs["port"]
	if !(l.Request == "attach" && l.Mode == "remote") && !hasPort {
		return "", false
	}
	host, port := l.Host, l.Port
	if host == "" {
		host = "127.0.0.1"
	}
	if port == 0 {
		port = 2345
	}
	return net.JoinHostPort(host, strconv.Itoa(port)), true
}

// checkRemote finds out whether a server listens where the configuration
// connects, and which Delve and target it serves, without ending a
// single-client server.
func checkRemote(t *Target) ([]finding.Finding, error) {
	l := t.L
	addr, ok := l.remoteAddr()
	if !ok || len(l.Missing["host"])+len(l.Missing["port"]) > 0 {
		return nil, nil
	}
	at := l.At(t.File, "port")
	host, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)
	if isLocalHost(host) {
		lis, listening, err := localListener(t.Opt.host().Proc, port)
		if err != nil {
			return nil, err
		}
		if !listening {
			fd := finding.New("ENV-IDECONF-REMOTE-DOWN", finding.Evidencef(at, "%s: connects to %s", l.Cfg.Label(), addr),
				finding.Evidencef(t.Opt.host().Proc+"/net/tcp", "no socket listens on port %d", port))
			fd.Fixes = startServerFixes(addr)
			return []finding.Finding{fd}, nil
		}
		if lis.PID != 0 && !slices.Contains(lis.Cmdline, "--accept-multiclient") {
			fd := finding.New("ENV-IDECONF-REMOTE-SINGLE", finding.Evidencef(at, "%s: connects to %s", l.Cfg.Label(), addr),
				finding.Evidencef(fmt.Sprintf("/proc/%d/cmdline", lis.PID), "%s", strings.Join(lis.Cmdline, " ")))
			fd.Fixes = startServerFixes(addr)
			return []finding.Finding{fd}, nil
		}
		if lis.PID == 0 && !t.Opt.ProbeRemote {
			return []finding.Finding{unprobed(at, l, addr, "the listening process is not visible here (another user or namespace)")}, nil
		}
	} else if !t.Opt.ProbeRemote {
		return []finding.Finding{unprobed(at, l, addr, "the host is not this machine")}, nil
	}
	info, err := probeServer(addr, 5*time.Second)
	if err != nil {
		fd := finding.New("ENV-IDECONF-REMOTE-DOWN", finding.Evidencef(at, "%s: connects to %s", l.Cfg.Label(), addr), finding.Evidencef("tcp:"+addr, "%v", err))
		fd.Fixes = startServerFixes(addr)
		return []finding.Finding{fd}, nil
	}
	t.remote = info
	return serverFindings(at, l, info), nil
}

func unprobed(at string, l *Launch, addr, why string) finding.Finding {
	return finding.New("ENV-IDECONF-REMOTE-UNPROBED", finding.Evidencef(at, "%s: connects to %s: %s", l.Cfg.Label(), addr, why))
}

func startServerFixes(addr string) []finding.Fix {
	_, port, _ := net.SplitHostPort(addr)
	return []finding.Fix{{Summary: "start a headless server that outlives one client", Command: []string{"dlvx", "exec", "--headless", "--accept-multiclient", "--listen=127.0.0.1:" + port, "./app"}}}
}

// serverFindings reports what the server is, and a target Go version
// outside the server's supported range.
func serverFindings(at string, l *Launch, info *remoteInfo) []finding.Finding {
	v := info.Version
	ev := finding.Evidencef("rpc:"+info.Addr+" GetVersion", "Delve %s, API v%d, backend %s, target %s, supports go%s through go%s",
		v.DelveVersion, v.APIVersion, v.Backend, v.TargetGoVersion, v.MinSupportedVersionOfGo, v.MaxSupportedVersionOfGo)
	out := []finding.Finding{finding.New("ENV-IDECONF-REMOTE", finding.Evidencef(at, "%s: connects to %s", l.Cfg.Label(), info.Addr), ev)}
	target, ok1 := goversion.Parse(v.TargetGoVersion)
	minV, ok2 := goversion.Parse("go" + v.MinSupportedVersionOfGo)
	maxV, ok3 := goversion.Parse("go" + v.MaxSupportedVersionOfGo)
	if !ok1 || !ok2 || !ok3 {
		return out
	}
	maxNext := goversion.GoVersion{Major: maxV.Major, Minor: maxV.Minor + 1, Rev: lowestRev}
	switch {
	case !target.AfterOrEqual(goversion.GoVersion{Major: minV.Major, Minor: minV.Minor, Rev: lowestRev}):
		out = append(out, finding.New("ENV-VERSION-OLD", ev))
	case target.AfterOrEqual(maxNext):
		out = append(out, finding.New("ENV-VERSION-NEW", ev))
	}
	return out
}

// lowestRev is the Rev Delve's goversion gives goX.Ybeta0, the lowest
// release of a minor version: betas of a bound count as in range.
const lowestRev = -2000
