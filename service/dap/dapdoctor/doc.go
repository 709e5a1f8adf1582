// Package dapdoctor is the advice dlvx's DAP layer gives: it implements
// the layer's Doctor (the binary doctor on the executable of a launch,
// the attach preflight and the doctor on a process about to be attached)
// and its BreakpointExplainer (the doctor's --break verdict on every
// breakpoint Delve could not set), its RequestLinter (launchcheck's
// judgement of the launch or attach request's arguments, Lint), and
// renders resolver findings for the layer's Notify.
//
// Both questions about a binary run on one cached dwarfcheck.Input per
// executable, so Delve's BinaryInfo, the expensive part, is loaded at most
// once per binary and reused for every later breakpoint. Text comes from
// the renderers of package finding/report; package service/dap only sends
// it. The package reads files and /proc; it never stops or signals a
// process.
package dapdoctor
