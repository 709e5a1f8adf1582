package dap

import "testing"

func TestBinaryOf(t *testing.T) {
	tests := []struct {
		command string
		args    launchArgs
		want    string
	}{
		{"launch", launchArgs{Mode: "exec", Program: "/bin/app"}, "/bin/app"},
		{"launch", launchArgs{Mode: "exec", Program: "app", DlvCwd: "/src"}, "/src/app"},
		{"launch", launchArgs{Mode: "core", Program: "/bin/app"}, "/bin/app"},
		{"launch", launchArgs{Mode: "debug", Program: "/src"}, ""}, // examined at the process event
		{"launch", launchArgs{Mode: "exec", Program: "/bin/app", NoDebug: true}, ""},
		{"attach", launchArgs{Mode: "local", ProcessID: 42}, "/proc/42/exe"},
		{"attach", launchArgs{ProcessID: 42}, "/proc/42/exe"},
		{"attach", launchArgs{Mode: "local"}, ""},
		{"attach", launchArgs{Mode: "remote"}, ""},
	}
	for _, tc := range tests {
		if got := binaryOf(tc.command, tc.args); got != tc.want {
			t.Errorf("binaryOf(%s, %+v) = %q, want %q", tc.command, tc.args, got, tc.want)
		}
	}
}
