package corecheck

import "bytes"

// A compression is a container format a core may be stored in, with the
// command that turns it back into the ELF file Delve reads.
type compression struct {
	name  string
	magic []byte
	ext   string // the file name suffix its tools use
	tool  string // the program that decompresses it with -dc to stdout
}

// compressions are the formats systemd-coredump (zstd, lz4, xz) and
// copying by hand (gzip, bzip2) leave cores in.
var compressions = []compression{
	{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd}, ".zst", "zstd"},
	{"lz4", []byte{0x04, 0x22, 0x4d, 0x18}, ".lz4", "lz4"},
	{"lz4", []byte{0x02, 0x21, 0x4c, 0x18}, ".lz4", "lz4"}, // legacy frame
	{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}, ".xz", "xz"},
	{"gzip", []byte{0x1f, 0x8b}, ".gz", "gzip"},
	{"bzip2", []byte{'B', 'Z', 'h'}, ".bz2", "bzip2"},
}

// Compression names the compressed format data starts with, or "".
func Compression(data []byte) string {
	if c := compressionOf(data); c != nil {
		return c.name
	}
	return ""
}

func compressionOf(data []byte) *compression {
	for i := range compressions {
		if bytes.HasPrefix(data, compressions[i].magic) {
			return &compressions[i]
		}
	}
	return nil
}

// DecompressCommand returns the argv that writes the plain core of the
// compressed file at path to out, or nil for an unknown format.
func DecompressCommand(format, path, out string) []string {
	for _, c := range compressions {
		if c.name == format {
			return []string{"sh", "-c", c.tool + ` -dc "$0" > "$1"`, path, out}
		}
	}
	return nil
}

// plainName returns the name a decompressed copy of path gets: its name
// without the format's suffix, or with ".core" added.
func plainName(format, path string) string {
	for _, c := range compressions {
		if c.name == format && len(path) > len(c.ext) && path[len(path)-len(c.ext):] == c.ext {
			return path[:len(path)-len(c.ext)]
		}
	}
	return path + ".core"
}
