package main

import (
	"net"
	"os/exec"
	"strings"
	"testing"
)

// Delve's same-user check still guards a loopback DAP listener behind the
// layer: it sees the real peer (not the relay's pipe), refuses another
// user before any byte of theirs is read, and the server stops.
func TestDAPRefusesOtherUser(t *testing.T) {
	needRoot(t, "setpriv", "bash")
	srv := startDAP(t)
	host, port, err := net.SplitHostPort(srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	script := `exec 3<>/dev/tcp/` + host + `/` + port + ` && printf 'Content-Length: 51\r\n\r\n{"seq":1,"type":"request","command":"initialize"}' >&3 && cat <&3`
	argv := append(asUser(1001), "bash", "-c", script)
	// The read ends with EOF or a reset (Delve closes with the request
	// unread); either way no message may come back.
	out, _ := exec.Command(argv[0], argv[1:]...).Output()
	if len(out) != 0 {
		t.Errorf("another user got an answer: %q", out)
	}
	srv.exitCode(t)
	if !strings.Contains(srv.out.String(), "closing connection from different user") {
		t.Errorf("dlvx did not report the refused user:\n%s", srv.out)
	}
}
