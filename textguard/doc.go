// Package textguard keeps breakpoint instructions out of the text of an
// attached process whenever its debugger could die without cleaning up.
//
// Three parts work together:
//
//   - a Guard, installed as Delve's breakpoint text hooks, writes the
//     instructions only while the process runs and restores the original
//     bytes at every stop, so a debugger killed at a stop leaves nothing;
//   - a Journal, a small file outside the debugger's memory, lists every
//     address that may hold an instruction, its original bytes and the
//     process's identity (PID and start time);
//   - a guardian, a separate process in its own session, learns of the
//     debugger's death from a pipe only the debugger holds and restores
//     the journal's bytes through /proc/PID/mem.
//
// Leftovers finds breakpoint instructions in a live process by comparing
// its text mappings with the executable, for the doctor and for repair,
// whoever left them (dlvx, upstream dlv, GDB).
package textguard
