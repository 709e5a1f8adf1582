package main

import (
	"fmt"
	"log"
	"net"
	"os"

	"github.com/dlvx/dlvx/service/dap"
	"github.com/dlvx/dlvx/service/dap/dapdoctor"
	"github.com/go-delve/delve/cmd/dlv/cmds"
	"github.com/spf13/cobra"
)

// allowRemoteFlag names dlvx's flag for listening beyond loopback.
const allowRemoteFlag = "allow-remote"

// allowRemote is set by --allow-remote.
var allowRemote bool

// dapLayer is the DAP middleware in front of every server Delve starts.
var dapLayer = &dap.Middleware{Log: log.New(os.Stderr, "", 0)}

// installDAP puts dlvx's DAP layer, with the doctor and its breakpoint
// verdicts, in front of the dap listener, the dap --client-addr
// connection and the --headless listener (where JSON-RPC passes through
// untouched).
func installDAP() {
	doc := &dapdoctor.Doctor{}
	dapLayer.Doctor, dapLayer.Explainer, dapLayer.CoreDoctor, dapLayer.Linter = doc, doc, doc, doc
	dapLayer.ServedBinary = dapdoctor.ServedBinary
	installEditorHook()
	dapLayer.AttachGuard = dapAttachGuard{}
	cmds.WrapListener = wrapListener
	cmds.WrapConn = func(c net.Conn) net.Conn { return dapLayer.Conn(c) }
}

// addDAPFlags adds --allow-remote to the root, next to --listen.
func addDAPFlags(root *cobra.Command) {
	root.PersistentFlags().BoolVar(&allowRemote, allowRemoteFlag, false,
		"Allow --listen on an address other than loopback. Connections are neither authenticated nor encrypted: anyone who can reach the port controls the debugged process.")
}

// wrapListener refuses a TCP listener that is not on loopback unless
// --allow-remote was given, and wraps the listener for the DAP layer.
func wrapListener(l net.Listener) (net.Listener, error) {
	if err := checkListenAddr(l.Addr(), allowRemote); err != nil {
		l.Close()
		return nil, err
	}
	return dapLayer.Listener(l), nil
}

// A RemoteListenError refuses a listen address reachable from other hosts.
type RemoteListenError struct {
	Addr net.Addr
}

func (e *RemoteListenError) Error() string {
	return fmt.Sprintf("refusing to listen on %s, which is not a loopback address: pass --%s to accept connections from other hosts (they are neither authenticated nor encrypted)", e.Addr, allowRemoteFlag)
}

// checkListenAddr returns a *RemoteListenError for a TCP address outside
// loopback, unless allow is set; then it prints a warning. Unix sockets
// are protected by file permissions and always allowed.
func checkListenAddr(addr net.Addr, allow bool) error {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() {
		return nil
	}
	if !allow {
		return &RemoteListenError{Addr: addr}
	}
	fmt.Fprintf(os.Stderr, "dlvx: warning: listening on %s, reachable from other hosts; connections are neither authenticated nor encrypted\n", addr)
	return nil
}
