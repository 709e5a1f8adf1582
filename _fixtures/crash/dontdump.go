package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// madvDontdump is MADV_DONTDUMP (linux/mman.h).
const madvDontdump = 16

// dontDumpReserved marks the address space the Go runtime reserved and
// never used (private anonymous mappings with no access: the heap arena
// hints, the page allocator's summaries) as excluded from core dumps.
// The kernel leaves untouched mappings out of a core by itself; gdb 13's
// gcore does not (it dumps every private anonymous mapping bit 0 of
// coredump_filter allows, reading their zeros, over 1 GiB for any Go
// program) but it does skip mappings with VM_DONTDUMP. A mapping the
// runtime takes into use later is mapped anew and dumped again.
func dontDumpReserved() error {
	maps, err := os.Open("/proc/self/maps")
	if err != nil {
		return err
	}
	defer maps.Close()
	sc := bufio.NewScanner(maps)
	for sc.Scan() {
		// start-end perms offset dev inode [path]
		f := strings.Fields(sc.Text())
		if len(f) != 5 || f[1] != "---p" || f[4] != "0" {
			continue
		}
		var start, end uintptr
		if _, err := fmt.Sscanf(f[0], "%x-%x", &start, &end); err != nil {
			return fmt.Errorf("maps line %q: %w", sc.Text(), err)
		}
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvDontdump); e != 0 {
			return fmt.Errorf("madvise %#x-%#x: %w", start, end, e)
		}
	}
	return sc.Err()
}
