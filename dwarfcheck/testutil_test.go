package dwarfcheck

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"runtime/debug"
	"testing"
)

func debugSetting(k, v string) debug.BuildSetting { return debug.BuildSetting{Key: k, Value: v} }

// buildIn builds the main package in dir into out.
func buildIn(t *testing.T, dir, out string, flags ...string) {
	t.Helper()
	cmd := exec.Command("go", append(append([]string{"build", "-o", out}, flags...), ".")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build in %s: %v\n%s", dir, err, b)
	}
}

// damageSection overwrites the first 64 bytes of a section's file data
// with fill, or the section's offset in its header when fill is 0xff.
func damageSection(t *testing.T, b []byte, name string, at int, fill byte) []byte {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Section(name)
	if s == nil {
		t.Fatalf("no section %s", name)
	}
	if fill == 0xff {
		// Point the section past the end of the file.
		for i := range f.Sections {
			if f.Sections[i] == s {
				hdr := int(shoffOf(b)) + i*64 + 24 // Elf64_Shdr.sh_offset
				f.ByteOrder.PutUint64(b[hdr:], uint64(len(b))+0x1000)
			}
		}
		return b
	}
	for i := 0; i < 64 && int(s.Offset)+at+i < len(b); i++ {
		b[int(s.Offset)+at+i] = fill
	}
	return b
}

func shoffOf(b []byte) uint64 {
	return uint64(b[0x28]) | uint64(b[0x29])<<8 | uint64(b[0x2a])<<16 | uint64(b[0x2b])<<24 |
		uint64(b[0x2c])<<32 | uint64(b[0x2d])<<40 | uint64(b[0x2e])<<48 | uint64(b[0x2f])<<56
}
