package podman

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A File is one file of an image built from local files.
type File struct {
	Path string // absolute path in the image: "/app/service"
	From string // host file to copy; empty with Data
	Data string // contents when From is empty
	Mode int64  // 0 means 0755 for From, 0644 for Data
}

// Image imports a root filesystem holding files (and /tmp) as an image
// and returns its name. The name carries a hash of the contents, so equal
// files reuse the image already in storage, across test binaries too.
func (e *Engine) Image(t testing.TB, files []File) string {
	t.Helper()
	tarPath := filepath.Join(t.TempDir(), "rootfs.tar")
	sum, err := writeRootfs(tarPath, files)
	if err != nil {
		t.Fatalf("build rootfs: %v", err)
	}
	name := "localhost/dlvx-test:" + sum[:16]
	if _, err := e.Output("image", "exists", name); err == nil {
		return name
	}
	e.Must(t, "import", "--quiet", tarPath, name)
	return name
}

// writeRootfs writes the tarball and returns the hash of its contents.
func writeRootfs(path string, files []File) (string, error) {
	out, err := os.Create(path)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	tw := tar.NewWriter(io.MultiWriter(out, h))
	err = writeEntries(tw, files)
	if cerr := tw.Close(); err == nil {
		err = cerr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return hex.EncodeToString(h.Sum(nil)), err
}

func writeEntries(tw *tar.Writer, files []File) error {
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	dirs := map[string]bool{}
	mkdir := func(dir string, mode int64) error {
		if dirs[dir] || dir == "." {
			return nil
		}
		dirs[dir] = true
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: mode})
	}
	if err := mkdir("tmp", 0o1777); err != nil {
		return err
	}
	for _, f := range files {
		rel := strings.TrimPrefix(filepath.Clean(f.Path), "/")
		parts := strings.Split(rel, "/")
		for i := 1; i < len(parts); i++ {
			if err := mkdir(strings.Join(parts[:i], "/"), 0o755); err != nil {
				return err
			}
		}
		data := []byte(f.Data)
		mode := f.Mode
		if f.From != "" {
			var err error
			if data, err = os.ReadFile(f.From); err != nil {
				return err
			}
			if mode == 0 {
				mode = 0o755
			}
		} else if mode == 0 {
			mode = 0o644
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: rel, Mode: mode, Size: int64(len(data))}); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return fmt.Errorf("write %s: %w", rel, err)
		}
	}
	return nil
}
