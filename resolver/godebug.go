package resolver

import "strings"

// asyncPreemptOffInEnv reports whether the environment block environ (NUL
// separated, as in /proc/PID/environ) sets GODEBUG=asyncpreemptoff to a
// non-zero value, and returns the GODEBUG value that does. The runtime
// reads GODEBUG when it starts, after which setting
// runtime.debug.asyncpreemptoff before then is undone.
func asyncPreemptOffInEnv(environ []byte) (godebug string, off bool) {
	for _, kv := range strings.Split(string(environ), "\x00") {
		value, ok := strings.CutPrefix(kv, "GODEBUG=")
		if !ok {
			continue
		}
		for _, setting := range strings.Split(value, ",") {
			if v, ok := strings.CutPrefix(setting, "asyncpreemptoff="); ok {
				off = v != "0" // the last setting wins, as in the runtime
				godebug = value
			}
		}
	}
	return godebug, off
}
