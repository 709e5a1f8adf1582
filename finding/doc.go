// Package finding is the advice model every dlvx doctor shares, and the
// runner of their checks.
//
// A Finding (finding.go) is one piece of advice: a stable ID taken from the
// failure taxonomy (BP-NODWARF, AT-TRACER, …), a severity, the evidence
// that was read and where, an explanation and alternative fixes. New fills
// one in from the catalog, which holds every ID of every doctor in one map,
// one file per area (catalog_binary.go, catalog_attach.go, and
// catalog_resolver.go for the resolver's notices); Explain and IDs read
// it, and docs/doctor.md documents each ID. Only the catalog sets a
// finding's title and severity (the --severity policy aside): a different
// meaning gets its own ID.
//
// A Check (check.go) is a named value with declared requirements that
// reads an input of the doctor's choosing: Check[*dwarfcheck.Input] for the
// binary and attach doctors, another type for a doctor whose subject is
// not a binary. Run executes checks in order with a severity policy
// (Options) and returns a Result; Select filters checks by name. A check
// that fails is a CheckError, and one that panics a PanicError inside it:
// the user sees a failed check, a test sees a bug. A Report (report.go) is
// a doctor's whole answer, with its exit code; package finding/report
// renders it.
//
// Advice helpers shared by every producer: Closest, the one "did you mean"
// ranking of names (the doctor's --break verdicts and the resolver's
// errors), and RebuildFix, the one debug-build fix (go build
// -gcflags=all=-N -l).
//
// What it does not do: it reads nothing, starts no process, prints nothing
// and imports no other dlvx package, nor Delve.
package finding
