package preempttrace

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
	"unsafe"

	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"
)

// bpfConfig mirrors struct config of bpf/preempt.c.
type bpfConfig struct {
	Tgid      uint64
	FsbaseOff int64
	GTLSOff   int64
	GoidOff   uint64
	PCMode    uint32
	NGoids    uint32
	Goids     [8]int64
}

// bpfEvent mirrors struct event of bpf/preempt.c.
type bpfEvent struct {
	TimeNS uint64
	Goid   int64
	PC     uint64
	Tid    uint32
	_      uint32
}

// EBPF traces o.Location with a uprobe and dlvx's BPF program (see the
// package comment): the process never stops. Only preempt:entry and
// SYMBOL+OFFSET locations are accepted; their goroutine filter runs in the
// kernel. It checks the host first (CheckEBPF) and returns when o.For has
// passed, o.Stop is closed or the target exits; a started program is
// killed at the end.
func EBPF(o Options) (*Summary, error) {
	spec, err := o.parse()
	if err != nil {
		return nil, err
	}
	if len(spec.Goroutines) > 8 {
		return nil, fmt.Errorf("%s: --ebpf filters at most 8 goroutines", o.Location)
	}
	if err := CheckEBPF(); err != nil {
		return nil, err
	}
	path, err := targetPath(o)
	if err != nil {
		return nil, err
	}
	p, err := newProbe(path, spec)
	if err != nil {
		return nil, err
	}
	a, err := attachProbe(path, p, o)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	objs, rd := &a.objs, a.rd
	cfg := p.config(spec.Goroutines)
	var stops []func()
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	pid, exited, err := startOrAttach(o, &stops)
	if err != nil {
		return nil, err
	}
	cfg.Tgid = uint64(pid)
	if err := objs.Config.Put(uint32(0), &cfg); err != nil {
		return nil, fmt.Errorf("configure BPF program: %w", err)
	}
	var bias uint64
	if p.pie {
		if bias, err = loadBias(pid, p.elfEntry, exited); err != nil {
			return nil, err
		}
	}
	s := &Summary{Start: time.Now()}
	err = readEvents(o, rd, p, bias, exited, s)
	s.End = time.Now()
	var lost uint64
	if objs.Counters.Lookup(uint32(0), &lost) == nil {
		s.Dropped = lost
	}
	return s, err
}

// attachedProbe is the loaded BPF program, its uprobe and the reader of
// its ring buffer.
type attachedProbe struct {
	objs preemptObjects
	up   link.Link
	rd   *ringbuf.Reader
}

// attachProbe loads the program and attaches it at p in the file path;
// it delivers nothing until its configuration names a process.
func attachProbe(path string, p *probe, o Options) (*attachedProbe, error) {
	a := &attachedProbe{}
	if err := loadPreemptObjects(&a.objs, nil); err != nil {
		return nil, fmt.Errorf("load BPF program: %w", err)
	}
	ex, err := link.OpenExecutable(path)
	if err != nil {
		a.Close()
		return nil, err
	}
	// Attached before a started program runs, to the file: the config's
	// tgid (0 until the program exists) keeps other processes out.
	if a.up, err = ex.Uprobe("", a.objs.PreemptEvent, &link.UprobeOptions{Address: p.fileOff, PID: o.Pid}); err != nil {
		a.Close()
		return nil, fmt.Errorf("attach uprobe at %s (%#x): %w", o.Location, p.addr, err)
	}
	if a.rd, err = ringbuf.NewReader(a.objs.Events); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// Close detaches and unloads what attachProbe made.
func (a *attachedProbe) Close() {
	if a.rd != nil {
		a.rd.Close()
	}
	if a.up != nil {
		a.up.Close()
	}
	a.objs.Close()
}

// targetPath is the executable of o's process or program.
func targetPath(o Options) (string, error) {
	if o.Pid == 0 {
		return exec.LookPath(o.Args[0])
	}
	path, err := os.Readlink("/proc/" + strconv.Itoa(o.Pid) + "/exe")
	if err != nil {
		return "", fmt.Errorf("attach to %d: %w", o.Pid, err)
	}
	return path, nil
}

// config is the BPF program's configuration for p and a goroutine filter;
// the tgid is set once the process exists.
func (p *probe) config(goids []int64) bpfConfig {
	cfg := bpfConfig{FsbaseOff: p.fsOff, GTLSOff: p.gTLSOff, GoidOff: p.goidOff, NGoids: uint32(len(goids))}
	if p.pcAtSP {
		cfg.PCMode = 1
	}
	copy(cfg.Goids[:], goids)
	return cfg
}

// startOrAttach starts o.Args (killed when tracing ends) or checks o.Pid.
// exited is closed when the process is gone.
func startOrAttach(o Options, stops *[]func()) (int, <-chan struct{}, error) {
	exited := make(chan struct{})
	if o.Pid != 0 {
		go func() { // an attached process is not our child: poll for it
			defer close(exited)
			for unix.Kill(o.Pid, 0) == nil {
				time.Sleep(50 * time.Millisecond)
			}
		}()
		return o.Pid, exited, nil
	}
	cmd := exec.Command(o.Args[0], o.Args[1:]...)
	cmd.Dir, cmd.Stdin, cmd.Stdout, cmd.Stderr = o.Dir, os.Stdin, os.Stdout, os.Stderr
	if o.Stdout != nil {
		cmd.Stdout = o.Stdout
	}
	if err := cmd.Start(); err != nil {
		return 0, nil, err
	}
	go func() { cmd.Wait(); close(exited) }()
	*stops = append(*stops, func() { cmd.Process.Kill(); <-exited })
	return cmd.Process.Pid, exited, nil
}

// readEvents symbolises events until tracing ends.
func readEvents(o Options, rd *ringbuf.Reader, p *probe, bias uint64, exited <-chan struct{}, s *Summary) error {
	expired, stopTimer := timer(o.For)
	defer stopTimer()
	var mono unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &mono)
	wallAtZero := time.Now().Add(-time.Duration(mono.Nano()))
	var rec ringbuf.Record
	for {
		select {
		case <-expired:
			return nil
		case <-o.Stop:
			return nil
		case <-exited:
			drain(rd, &rec, p, bias, wallAtZero, o, s)
			return nil
		default:
		}
		rd.SetDeadline(time.Now().Add(100 * time.Millisecond))
		if err := rd.ReadInto(&rec); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			return fmt.Errorf("read events: %w", err)
		}
		emit(rec.RawSample, p, bias, wallAtZero, o, s)
	}
}

func drain(rd *ringbuf.Reader, rec *ringbuf.Record, p *probe, bias uint64, wallAtZero time.Time, o Options, s *Summary) {
	rd.SetDeadline(time.Now())
	for rd.ReadInto(rec) == nil {
		emit(rec.RawSample, p, bias, wallAtZero, o, s)
	}
}

func emit(raw []byte, p *probe, bias uint64, wallAtZero time.Time, o Options, s *Summary) {
	var ev bpfEvent
	if len(raw) < int(unsafe.Sizeof(ev)) {
		return
	}
	ev.TimeNS = binary.LittleEndian.Uint64(raw[0:])
	ev.Goid = int64(binary.LittleEndian.Uint64(raw[8:]))
	ev.PC = binary.LittleEndian.Uint64(raw[16:])
	ev.Tid = binary.LittleEndian.Uint32(raw[24:])
	e := Event{Goroutine: ev.Goid, Thread: int(ev.Tid), Time: wallAtZero.Add(time.Duration(ev.TimeNS)), PC: ev.PC}
	file, line, fn := p.bi.PCToLine(ev.PC - bias)
	e.File, e.Line = file, line
	if fn != nil {
		e.Function = fn.Name
	}
	s.Add(e)
	if o.Event != nil {
		o.Event(e)
	}
}

// loadBias returns how far pid's executable is loaded from its link-time
// addresses (0 unless PIE), from its entry point in /proc/PID/auxv. A
// program just started may still be inside execve: the kernel closes the
// descriptor exec.Cmd.Start waits on before it writes the new auxv, which
// reads empty until then. So an auxv without AT_ENTRY is read again until
// it has one, the process is gone, or auxvWait passes.
func loadBias(pid int, elfEntry uint64, exited <-chan struct{}) (uint64, error) {
	deadline := time.Now().Add(auxvWait)
	for {
		entry, ok, err := readEntry(pid)
		if err != nil {
			return 0, fmt.Errorf("read entry point: %w", err)
		}
		if ok {
			return entry - elfEntry, nil
		}
		select {
		case <-exited:
			return 0, fmt.Errorf("process %d exited before its entry point could be read", pid)
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("no AT_ENTRY in /proc/%d/auxv after %v", pid, auxvWait)
		}
	}
}

// auxvWait bounds how long loadBias waits for an execve to finish.
const auxvWait = 5 * time.Second

// readEntry returns AT_ENTRY from pid's auxv, and whether it was there.
func readEntry(pid int) (uint64, bool, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "auxv"))
	if err != nil {
		return 0, false, err
	}
	for i := 0; i+16 <= len(b); i += 16 {
		if binary.LittleEndian.Uint64(b[i:]) == 9 { // AT_ENTRY
			return binary.LittleEndian.Uint64(b[i+8:]), true, nil
		}
	}
	return 0, false, nil
}
