package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config names the inputs and the output of one run.
type Config struct {
	Lock    string    // lock file path
	Patches string    // patch directory
	Out     string    // generated tree
	Log     io.Writer // progress messages; nil discards them
}

// State is what Status found.
type State string

const (
	UpToDate State = "up to date"
	Missing  State = "missing"
	Stale    State = "stale"  // lock or patches changed since generation
	Edited   State = "edited" // the tree differs from what was generated
)

// Status compares the tree with the lock and patches without changing
// anything. why says what differs.
func (c *Config) Status() (state State, why string, err error) {
	l, patches, inputs, err := c.inputs()
	if err != nil {
		return "", "", err
	}
	if _, err := os.Stat(c.Out); errors.Is(err, fs.ErrNotExist) {
		return Missing, c.Out + " does not exist", nil
	}
	s, err := readStamp(c.Out)
	if err != nil {
		return Edited, fmt.Sprintf("%s has no valid stamp (%v): it was not produced by this tool or was left half-built", c.Out, err), nil
	}
	if s.inputs != inputs {
		return Stale, "the lock file or the patches changed since the tree was generated", nil
	}
	files, err := manifest(c.Out)
	if err != nil {
		return "", "", fmt.Errorf("read generated tree: %w", err)
	}
	if d := diffManifest(s.files, files); len(d) > 0 {
		return Edited, "the generated tree was edited by hand: " + strings.Join(d, ", "), nil
	}
	return UpToDate, fmt.Sprintf("%s@%s with %d patches", l.Module, l.Version, len(patches)), nil
}

func (c *Config) inputs() (*Lock, []string, string, error) {
	l, err := ReadLock(c.Lock)
	if err != nil {
		return nil, nil, "", err
	}
	patches, err := listPatches(c.Patches)
	if err != nil {
		return nil, nil, "", err
	}
	inputs, err := inputsHash(l, patches)
	if err != nil {
		return nil, nil, "", err
	}
	return l, patches, inputs, nil
}

// Ensure makes the tree up to date, regenerating it unless Status says it
// already is.
func (c *Config) Ensure() error {
	unlock, err := lockDir(filepath.Dir(c.Out))
	if err != nil {
		return err
	}
	defer unlock()
	state, why, err := c.Status()
	if err != nil {
		return err
	}
	if state == UpToDate {
		c.logf("%s: up to date (%s)", c.Out, why)
		return nil
	}
	if state != Missing {
		c.logf("%s: %s; regenerating it from the pinned module", c.Out, why)
	}
	return c.Generate()
}

// Generate builds the tree from scratch in a sibling directory and moves it
// into place only when every step succeeded.
func (c *Config) Generate() error {
	start := time.Now()
	l, patches, inputs, err := c.inputs()
	if err != nil {
		return err
	}
	zipPath, err := fetch(l)
	if err != nil {
		return err
	}
	parent := filepath.Dir(c.Out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, ".delvetree-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := extract(zipPath, l.Module+"@"+l.Version+"/", tmp); err != nil {
		return err
	}
	if err := setExecModes(tmp, l.Exec); err != nil {
		return err
	}
	for _, p := range patches {
		if err := applyPatch(tmp, p); err != nil {
			return err
		}
	}
	files, err := manifest(tmp)
	if err != nil {
		return err
	}
	if err := writeStamp(tmp, inputs, patches, files); err != nil {
		return err
	}
	if err := replaceDir(tmp, c.Out); err != nil {
		return err
	}
	c.logf("%s: generated %s@%s with %d patches in %.1fs", c.Out, l.Module, l.Version, len(patches), time.Since(start).Seconds())
	return nil
}

// replaceDir moves src to dst, moving any existing dst aside first so that
// dst is always either the old tree or the complete new one.
func replaceDir(src, dst string) error {
	old := ""
	if _, err := os.Stat(dst); err == nil {
		old = src + ".old"
		if err := os.Rename(dst, old); err != nil {
			return fmt.Errorf("move old tree aside: %w", err)
		}
	}
	if err := os.Rename(src, dst); err != nil {
		if old != "" {
			os.Rename(old, dst)
		}
		return fmt.Errorf("move new tree into place: %w", err)
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

func (c *Config) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, "delvetree: "+format+"\n", args...)
	}
}
