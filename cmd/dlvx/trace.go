package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/dlvx/dlvx/preempttrace"
	"github.com/dlvx/dlvx/resolver"
	"github.com/go-delve/delve/pkg/gobuild"
	"github.com/spf13/cobra"
)

// Flags dlvx adds to `dlvx trace`.
var (
	traceJSON bool
	traceFor  time.Duration
)

// addTrace lets `dlvx trace` take dlvx locations (preempt:HOOK,
// SYMBOL+OFFSET, LOCATION@gN); a regexp still goes to Delve's trace.
func addTrace(root *cobra.Command) {
	trace, _, err := root.Find([]string{"trace"})
	if err != nil || trace == root {
		return
	}
	trace.Flags().BoolVar(&traceJSON, "json", false, "With a dlvx location: print one JSON object per event and a summary object last.")
	trace.Flags().DurationVar(&traceFor, "for", 0, "With a dlvx location: stop tracing after this long (0: until Ctrl-C or the program exits).")
	trace.Long += `

dlvx: the last argument may also be a dlvx location (see 'dlvx help locations'):
preempt:HOOK, SYMBOL+OFFSET, LOCATION@gN[,M]. Each hit prints a line (at most
` + fmt.Sprint(preempttrace.DefaultLinesPerSecond) + ` a second) naming the goroutine and, at a preemption hook, the
preempted function and line; the end (Ctrl-C, --for, program exit) prints a
summary: top functions and lines, events per goroutine, rate.`
	delveRun := trace.Run
	trace.Run = func(cmd *cobra.Command, args []string) {
		dlvArgs, _ := splitDash(cmd, args)
		if len(dlvArgs) == 0 || !isLocation(dlvArgs[len(dlvArgs)-1]) {
			if traceJSON || traceFor != 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "--json and --for need a dlvx location (see 'dlvx help locations')")
				os.Exit(1)
			}
			delveRun(cmd, args)
			return
		}
		os.Exit(runTrace(cmd, args))
	}
}

// isLocation reports whether loc is in dlvx's location syntax (malformed
// included, so the user sees the resolver's error rather than Delve's).
func isLocation(loc string) bool {
	spec, err := resolver.Parse(loc)
	return spec != nil || err != nil
}

func splitDash(cmd *cobra.Command, args []string) (before, after []string) {
	if n := cmd.ArgsLenAtDash(); n >= 0 {
		return args[:n], args[n:]
	}
	return args, nil
}

// runTrace is `dlvx trace [package] LOCATION [-- args]`.
func runTrace(cmd *cobra.Command, args []string) int {
	stderr := cmd.ErrOrStderr()
	o, cleanup, err := traceOptions(cmd, args)
	if err != nil {
		fmt.Fprintf(stderr, "dlvx trace: %v\n", err)
		return 1
	}
	defer cleanup()
	stop := make(chan struct{})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		if _, ok := <-sig; ok {
			close(stop)
		}
	}()
	o.Stop = stop
	if traceJSON {
		o.Stdout = os.Stderr // standard output carries only JSON
	}
	w := &preempttrace.Writer{Out: traceOut(cmd), JSON: traceJSON}
	o.Event = w.Event
	sum, err := traceBackend(cmd)(o)
	if sum != nil {
		if werr := w.Summary(sum); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "dlvx trace: %v\n", err)
		return 1
	}
	return 0
}

// traceOut is where events go: standard output for --json (a pipe's
// input), standard error otherwise, as Delve's trace prints.
func traceOut(cmd *cobra.Command) io.Writer {
	if traceJSON {
		return cmd.OutOrStdout()
	}
	return cmd.ErrOrStderr()
}

// traceOptions reads Delve's trace flags. A package argument is built
// the way dlv trace builds it; cleanup removes the binary.
func traceOptions(cmd *cobra.Command, args []string) (preempttrace.Options, func(), error) {
	dlvArgs, targetArgs := splitDash(cmd, args)
	o := preempttrace.Options{Location: dlvArgs[len(dlvArgs)-1], For: traceFor, Dir: flagString(cmd, "wd"), Backend: flagString(cmd, "backend")}
	pkgs := dlvArgs[:len(dlvArgs)-1]
	exe := flagString(cmd, "exec")
	o.Pid, _ = cmd.Flags().GetInt("pid")
	switch {
	case o.Pid != 0 && (exe != "" || len(pkgs) > 0):
		return o, nil, errors.New("--pid takes no package and no --exec")
	case o.Pid != 0:
		return o, func() {}, nil
	case exe != "" && len(pkgs) > 0:
		return o, nil, errors.New("cannot specify package when using --exec")
	case exe != "":
		o.Args = append([]string{exe}, targetArgs...)
		return o, func() {}, nil
	}
	bin, cleanup, err := buildTraced(cmd, pkgs)
	if err != nil {
		return o, nil, err
	}
	o.Args = append([]string{bin}, targetArgs...)
	return o, cleanup, nil
}

// buildTraced builds pkgs (the current directory when empty) with Delve's
// debug flags and --build-flags, to --output or a temporary name.
func buildTraced(cmd *cobra.Command, pkgs []string) (string, func(), error) {
	out := flagString(cmd, "output")
	test, _ := cmd.Flags().GetBool("test")
	name := gobuild.DefaultDebugBinaryPath("__debug_bin")
	if test {
		name = gobuild.DefaultDebugBinaryPath("debug.test")
	}
	if out != "" {
		abs, err := filepath.Abs(out)
		if err != nil {
			return "", nil, err
		}
		name = abs
	}
	build := gobuild.GoBuild
	if test {
		build = gobuild.GoTestBuild
	}
	if err := build(name, pkgs, flagString(cmd, "build-flags")); err != nil {
		if out == "" {
			gobuild.Remove(name)
		}
		return "", nil, fmt.Errorf("build: %w", err)
	}
	if out != "" {
		return name, func() {}, nil
	}
	return name, func() { gobuild.Remove(name) }, nil
}

func flagString(cmd *cobra.Command, name string) string {
	if f := cmd.Flag(name); f != nil {
		return f.Value.String()
	}
	return ""
}
