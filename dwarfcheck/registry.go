package dwarfcheck

import "github.com/dlvx/dlvx/finding"

// A Check is a check on an executable, run by finding.Run.
type Check = finding.Check[*Input]

// BinaryChecks are the checks `dlvx doctor BINARY` runs, in order: each
// check comes after the checks it requires.
var BinaryChecks = []*Check{
	ELFHeaders,
	ExecutableType,
	GoBinary,
	FunctionTable,
	Architecture,
	DWARFPresent,
	AsyncPreemptControl,
	SeparateDebug,
	CompressedDWARF,
	PIE,
	BuildInfoPresent,
	GoVersion,
	Trimpath,
	Race,
	Experiments,
	DWARFUnits,
	DWARFVersion,
	Optimization,
	Cgo,
	BuildSystem,
	HardStops,
	Stale,
}
