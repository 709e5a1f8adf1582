package dapdoctor

import (
	"os"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

func TestMain(m *testing.M) {
	code := m.Run()
	fixtures.Cleanup()
	os.Exit(code)
}
