package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGoTestReadsOutcomes runs go test on a small module of real tests and
// checks what goTest makes of a pass, a failure, a failed subtest, a hang
// and a package that does not build.
func TestGoTestReadsOutcomes(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/pc\n\ngo 1.22\n",
		"a/a_test.go": `package a

import "testing"

func TestPass(t *testing.T) {}
func TestFail(t *testing.T) { t.Error("boom") }
func TestTable(t *testing.T) {
	t.Run("good", func(t *testing.T) {})
	t.Run("bad", func(t *testing.T) { t.Error("bad case") })
}
func TestHang(t *testing.T) { select {} }
`,
		"b/b_test.go": "package b\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) { var n int = \"x\"; _ = n }\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := testTimeout
	testTimeout = 3 * time.Second
	defer func() { testTimeout = old }()

	r, err := goTest(dir, "", group{pkg: "./a", names: []string{"TestPass", "TestFail", "TestTable", "TestMissing"}})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"TestPass": "pass", "TestFail": "fail", "TestTable": "fail", "TestTable/good": "pass", "TestMissing": ""} {
		if got := r.Status[name]; got != want {
			t.Errorf("%s: status %q, want %q", name, got, want)
		}
	}
	if why := r.why("TestTable"); !strings.Contains(why, "bad case") {
		t.Errorf("why TestTable failed does not give its subtest's message: %q", why)
	}
	r, err = goTest(dir, "", group{pkg: "./a", names: []string{"TestHang"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status["TestHang"] != "fail" {
		t.Errorf("a test that hangs until the timeout: status %q, want fail", r.Status["TestHang"])
	}
	r, err = goTest(dir, "", group{pkg: "./b", names: []string{"TestX"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.BuildFailed, "cannot use") {
		t.Errorf("build failure not reported: %+v", r)
	}
}
