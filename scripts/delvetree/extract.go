package main

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// extract unpacks a module zip into dir, dropping the "module@version/"
// prefix every entry carries. Files get ordinary permissions (0644, 0755
// for directories) whatever the module cache had, so the tree can be
// patched and removed by a non-root user.
func extract(zipPath, prefix, dir string) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return fmt.Errorf("open module zip: %w", err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		name, ok := strings.CutPrefix(f.Name, prefix)
		if !ok || name == "" {
			return fmt.Errorf("module zip entry %q is outside %q", f.Name, prefix)
		}
		if !filepath.IsLocal(name) {
			return fmt.Errorf("module zip entry %q escapes the tree", f.Name)
		}
		if strings.HasSuffix(name, "/") {
			continue
		}
		if err := extractFile(f, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			return err
		}
	}
	return nil
}

func extractFile(f *zip.File, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	r, err := f.Open()
	if err != nil {
		return fmt.Errorf("read %s from module zip: %w", f.Name, err)
	}
	defer r.Close()
	w, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return fmt.Errorf("extract %s: %w", f.Name, err)
	}
	return w.Close()
}
