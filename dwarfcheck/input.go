package dwarfcheck

import (
	"debug/buildinfo"
	"debug/dwarf"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// An Input is what the binary checks read: the path of an executable plus
// lazily opened views of the file. Each accessor opens its part on first
// use and caches the result, error included, so checks pay only for what
// they read. An Input is not safe for concurrent use.
//
// The attach preflight (package attachcheck) reuses this type for the
// process's executable and runs its own checks on it.
type Input struct {
	Path   string // the executable
	Source string // the editor's workspace directory, or ""

	// DebugInfoDirs are searched for separate debug files, as Delve's
	// debug-info-directories setting.
	DebugInfoDirs []string
	// HostGOARCH is the architecture of the machine that will debug;
	// runtime.GOARCH when empty.
	HostGOARCH string
	// GitHead returns the commit checked out in dir; nil disables the
	// check. NewInput installs an implementation that runs git.
	GitHead func(dir string) (rev string, dirty bool, err error)
	// ForeignDlv returns the path of a dlv on this machine's PATH, for
	// ENV-DWARF5; nil, or an error, disables that comparison.
	ForeignDlv func() (string, error)
	// Funcs is Delve's view of the executable, installed by package
	// breakcheck; nil when only this package's checks are wanted.
	Funcs FuncTable

	elf   lazy[*elf.File]
	info  lazy[*buildinfo.BuildInfo]
	dwarf lazy[*dwarf.Data]
	units lazy[[]Unit]
	files lazy[[]string]
	sep   *elf.File   // separate debug file, when DWARF came from one
	lines *lineSource // where Files streams line tables from; nil when dwarf holds them
	stat  lazy[os.FileInfo]
}

type lazy[T any] struct {
	done bool
	v    T
	err  error
}

func (l *lazy[T]) get(f func() (T, error)) (T, error) {
	if !l.done {
		l.v, l.err = f()
		l.done = true
	}
	return l.v, l.err
}

// DefaultDebugInfoDirs is Delve's default debug-info-directories.
var DefaultDebugInfoDirs = []string{"/usr/lib/debug/.build-id"}

// NewInput returns an Input for the executable at path.
func NewInput(path string) *Input {
	return &Input{Path: path, DebugInfoDirs: DefaultDebugInfoDirs, GitHead: gitHead, ForeignDlv: lookDlv}
}

// Close releases the files the Input opened.
func (in *Input) Close() error {
	var errs []error
	if in.elf.done && in.elf.v != nil {
		errs = append(errs, in.elf.v.Close())
	}
	if in.sep != nil {
		errs = append(errs, in.sep.Close())
	}
	if in.Funcs != nil {
		errs = append(errs, in.Funcs.Close())
	}
	return errors.Join(errs...)
}

func (in *Input) hostArch() string {
	if in.HostGOARCH != "" {
		return in.HostGOARCH
	}
	return runtime.GOARCH
}

// Stat returns the executable's file information.
func (in *Input) Stat() (os.FileInfo, error) {
	return in.stat.get(func() (os.FileInfo, error) { return os.Stat(in.Path) })
}

// ModTime returns the executable's modification time.
func (in *Input) ModTime() time.Time {
	st, err := in.Stat()
	if err != nil {
		return time.Time{}
	}
	return st.ModTime()
}

// ELF returns the parsed ELF headers of the executable. A file whose
// headers or sections extend past its end, or whose section header table
// is gone, fails with a *DamageError that says which part and where.
func (in *Input) ELF() (*elf.File, error) {
	return in.elf.get(func() (*elf.File, error) {
		f, err := elf.Open(in.Path)
		if err != nil {
			if d := diagnoseFile(in.Path, err); d != nil {
				return nil, fmt.Errorf("open %s: %w", in.Path, d)
			}
			return nil, fmt.Errorf("open %s: %w", in.Path, err)
		}
		if d := diagnoseFile(in.Path, nil); d != nil {
			f.Close()
			return nil, fmt.Errorf("open %s: %w", in.Path, d)
		}
		return f, nil
	})
}

// BuildInfo returns the Go build information; it survives stripping.
func (in *Input) BuildInfo() (*buildinfo.BuildInfo, error) {
	return in.info.get(func() (*buildinfo.BuildInfo, error) {
		bi, err := buildinfo.ReadFile(in.Path)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNoBuildInfo, err)
		}
		return bi, nil
	})
}

// DWARF returns the executable's DWARF data, from the separate debug file
// Delve would load when the executable has none, or an error wrapping
// ErrNoDWARF. Its line tables may be left out (LineReader returns nil):
// Files reads them.
func (in *Input) DWARF() (*dwarf.Data, error) {
	return in.dwarf.get(func() (*dwarf.Data, error) {
		f, err := in.ELF()
		if err != nil {
			return nil, err
		}
		if !HasDebugInfo(f) {
			return in.separateDWARF(f)
		}
		d, lines, err := readDWARF(f)
		if err != nil {
			return nil, fmt.Errorf("read DWARF of %s: %w", in.Path, err)
		}
		in.lines = lines
		return d, nil
	})
}

// readDWARF decompresses only the sections the checks read: compile unit
// headers and what their attributes refer to. Skipping location lists,
// frames and ranges saves memory compared with (*elf.File).DWARF, which
// reads every section, and so does leaving the line tables to Files,
// which streams them (lines); decompressing the sections in parallel
// saves time (zlib inflation dominates on large binaries).
func readDWARF(f *elf.File) (*dwarf.Data, *lineSource, error) {
	for _, s := range f.Sections {
		if strings.HasPrefix(s.Name, ".zdebug_") {
			d, err := f.DWARF() // legacy compression: let debug/elf handle it
			return d, nil, err
		}
	}
	if f.Type == elf.ET_REL {
		d, err := f.DWARF() // relocations: let debug/elf apply them
		return d, nil, err
	}
	names := []string{"abbrev", "info", "str", "addr", "line_str", "str_offsets"}
	data, err := decompressAll(f, names)
	if err != nil {
		return nil, nil, err
	}
	d, err := dwarf.New(data["abbrev"], nil, nil, data["info"], nil, nil, nil, data["str"])
	if err != nil {
		return nil, nil, err
	}
	for _, name := range []string{"addr", "line_str", "str_offsets"} {
		if b, ok := data[name]; ok {
			if err := d.AddSection(".debug_"+name, b); err != nil {
				return nil, nil, fmt.Errorf("section .debug_%s: %w", name, err)
			}
		}
	}
	return d, &lineSource{f: f, str: data["str"], lineStr: data["line_str"]}, nil
}

// HasDebugInfo reports whether f has a .debug_info or .zdebug_info section.
func HasDebugInfo(f *elf.File) bool {
	return f.Section(".debug_info") != nil || f.Section(".zdebug_info") != nil
}

// separateDWARF reads DWARF from the matching separate debug file.
func (in *Input) separateDWARF(f *elf.File) (*dwarf.Data, error) {
	link, crc, ok := debugLink(f)
	if !ok {
		return nil, ErrNoDWARF
	}
	sd := findSeparateDebug(in, f, link, crc)
	if sd.path == "" {
		return nil, ErrNoDWARF
	}
	sep, err := elf.Open(sd.path)
	if err != nil {
		return nil, fmt.Errorf("open separate debug file: %w", err)
	}
	in.sep = sep
	d, err := sep.DWARF()
	if err != nil {
		return nil, fmt.Errorf("read DWARF of %s: %w", sd.path, err)
	}
	return d, nil
}

// decompressAll reads the named .debug_ sections concurrently.
func decompressAll(f *elf.File, names []string) (map[string][]byte, error) {
	type result struct {
		name string
		data []byte
		err  error
	}
	ch := make(chan result, len(names))
	n := 0
	for _, name := range names {
		s := f.Section(".debug_" + name)
		if s == nil || s.Type == elf.SHT_NOBITS {
			continue
		}
		n++
		go func() {
			b, err := s.Data()
			if err != nil {
				err = &SectionError{Section: s.Name, Offset: int64(s.Offset), Err: err}
			}
			ch <- result{name, b, err}
		}()
	}
	data := make(map[string][]byte, n)
	var errs []error
	for range n {
		r := <-ch
		data[r.name] = r.data
		if r.err != nil {
			errs = append(errs, r.err)
		}
	}
	return data, errors.Join(errs...)
}
