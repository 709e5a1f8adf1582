package dap

import (
	"fmt"
	"os"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

func TestMain(m *testing.M) {
	code := m.Run()
	fixtures.Cleanup()
	if g := checkNoRelayLeft(); g != "" && code == 0 {
		fmt.Fprintf(os.Stderr, "a relay goroutine outlived the tests:\n%s\n", g)
		code = 1
	}
	os.Exit(code)
}
