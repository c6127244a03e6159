package runtime

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gbt-project/gbt/codegen"
)

// Options control one run of an Object.
type Options struct {
	Out    Output    // printf, maps and notices
	Stderr io.Writer // warnings and -v logs

	Quiet   bool // no "Attached N probes"
	Verbose bool // full verifier logs, tracefs notices
	DryRun  bool // load everything into the verifier, attach nothing

	// Command, when set, is started held before exec (StartHeld) before
	// any probe is attached, released once every probe is attached and
	// BEGIN has run; the run ends when it exits.
	Command string

	// NoMapsAtExit leaves the maps unprinted at exit (the
	// print_maps_on_exit = false setting).
	NoMapsAtExit bool

	// Pid, when not 0, is the process of gbt -p: uprobes and usdt probes
	// attach to it alone, libraries resolve through its memory maps, and
	// the run ends when it exits. It must exist (*ProcessNotFoundError).
	Pid int
}

// Run loads obj, attaches its probes, runs BEGIN, streams events to
// opts.Out until ctx is done, a program calls exit(), or opts.Command or
// the process opts.Pid exits;
// then it detaches everything, runs END, prints every non-empty map and
// returns the exit status: exit()'s code, or 0.
func Run(ctx context.Context, obj *codegen.Object, opts Options) (int, error) {
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	var targetDone <-chan struct{}
	if opts.Pid != 0 {
		watch, err := WatchProcess(opts.Pid)
		if err != nil {
			return 1, err
		}
		defer watch.Close()
		targetDone = watch.Done()
	}
	l, err := Load(obj)
	if err != nil {
		var le *LoadError
		if opts.Verbose && errors.As(err, &le) && le.Log() != "" {
			fmt.Fprintln(opts.Stderr, le.Log())
		}
		return 1, err
	}
	defer l.Close()
	if opts.DryRun {
		return 0, nil
	}

	// The event reader and this goroutine both write output (BEGIN's
	// printf may race the attach notice), so writes are serialised.
	r, err := startEvents(obj, l, &syncOutput{Output: opts.Out}, nil)
	if err != nil {
		return 1, err
	}
	r.warn.Store(opts.Stderr)
	r.stopAtExit.Store(true)

	var held *HeldCommand
	if opts.Command != "" {
		held, err = StartHeld(opts.Command, os.Stdin, os.Stdout, os.Stderr)
		if err != nil {
			r.stopReader()
			return 1, err
		}
		// Until it is released, closing it ends it without running it.
		defer func() {
			if held != nil {
				held.Close()
			}
		}()
	}

	pid := opts.Pid
	if held != nil {
		pid = held.Pid
	}
	err = setTarget(obj, l, held, pid)
	var begins, ends []*ebpf.Program
	var links []io.Closer
	if err == nil {
		begins, ends, links, err = attachPrograms(obj.Programs, l, procLimit{uprobe: opts.Pid, usdt: pid})
	}
	// Links are closed all at once: a tracepoint's detach waits for RCU
	// grace periods in the kernel (about 25ms on 6.x), and concurrent
	// closes share some of those waits instead of queueing for each
	// (bench/README.md: 30 tracepoints detach in 1.0s instead of 1.5s).
	detach := func() {
		var wg sync.WaitGroup
		for _, c := range links {
			wg.Go(func() { c.Close() })
		}
		wg.Wait()
		links = nil
	}
	if err != nil {
		r.stopReader()
		return 1, err
	}
	if !opts.Quiet {
		r.out.AttachedProbes(len(obj.Programs))
	}
	for _, prog := range begins {
		if _, err := RunOnce(prog); err != nil {
			detach()
			r.stopReader()
			return 1, err
		}
	}

	var cmdDone <-chan struct{}
	cmdPid := 0
	if held != nil {
		if err := held.Release(); err != nil {
			detach()
			r.stopReader()
			return 1, fmt.Errorf("starting %q: %w", opts.Command, err)
		}
		cmdDone, cmdPid = held.Done(), held.Pid
		held = nil
	}
	if pid != 0 {
		stop := r.dec.stacks.follow(pid)
		defer stop()
	}

	select {
	case <-ctx.Done():
	case <-r.exited:
	case <-cmdDone:
	case <-targetDone:
	case <-r.readerDone():
	}

	detach()
	stopCommand(cmdDone, cmdPid)
	r.endExit(opts.Stderr)
	for _, prog := range ends {
		if _, err := RunOnce(prog); err != nil {
			fmt.Fprintf(opts.Stderr, "gbt: END: %v\n", err)
		}
	}
	if err := r.stopReader(); err != nil {
		fmt.Fprintf(opts.Stderr, "gbt: reading events: %v\n", err)
	}
	r.reportLost(opts.Stderr)
	if !opts.NoMapsAtExit {
		maps, err := r.readMaps()
		if err != nil {
			return 1, err
		}
		r.out.Exit(maps)
	}
	if err := r.out.Err(); err != nil {
		return 1, err
	}
	return r.code, nil
}

// stopCommand ends gbt -c's command when the run ends for another reason
// (exit(), a signal): as in bpftrace, the command does not outlive gbt. It
// gets SIGTERM and a second to exit.
func stopCommand(done <-chan struct{}, pid int) {
	if done == nil {
		return
	}
	select {
	case <-done:
		return
	default:
	}
	syscall.Kill(pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(time.Second):
	}
}

// run is the state of one Run: the event callback runs on the reader's
// goroutine and owns out until the reader stops; then Run's goroutine does.
type run struct {
	obj     *codegen.Object
	l       *Loaded
	out     Output
	dec     *decoder
	formats []*Format
	reader  *RingReader

	catFormats map[uint32]*Format // cat() formats, parsed on first use
	warn       atomic.Value       // io.Writer: where cat() reports files it cannot read and runtime errors go; unset: nowhere

	exitOnce sync.Once
	exited   chan struct{}
	code     int

	// stopAtExit makes the records that follow the first exit record
	// (events of probes that fired before they were detached) go unprinted,
	// as bpftrace's output stops at exit(); afterExit is set while they
	// are being dropped. Run sets stopAtExit; the REPL's Session prints
	// everything.
	stopAtExit atomic.Bool
	afterExit  atomic.Bool
}

// endExit is called once every probe is detached and before END runs: it
// lets the records sent after exit() arrive (and be dropped), then lets
// END's own records print.
func (r *run) endExit(stderr io.Writer) {
	if r.reader != nil && r.afterExit.Load() {
		if err := r.reader.Sync(); err != nil {
			fmt.Fprintf(stderr, "gbt: reading events: %v\n", err)
		}
	}
	r.afterExit.Store(false)
}

// startEvents makes the event handler of a loaded Object and starts
// reading its ring buffer, if it has one. Run and Session share it; a
// Session's blocks share sym (nil: the handler has its own Symbolizer).
func startEvents(obj *codegen.Object, l *Loaded, out Output, sym *Symbolizer) (*run, error) {
	r := &run{obj: obj, l: l, out: out, dec: newDecoder(obj).withMaps(l.Maps), exited: make(chan struct{})}
	if sym != nil {
		r.dec.stacks.sym = sym
	}
	if err := r.prepareFormats(); err != nil {
		return nil, err
	}
	if rb := l.Maps[codegen.RingbufName]; rb != nil {
		reader, err := NewRingReader(rb, l.Maps[codegen.DropsName])
		if err != nil {
			return nil, err
		}
		r.reader = reader
		if err := reader.Start(r.event); err != nil {
			reader.Close()
			return nil, err
		}
	}
	return r, nil
}

// attachPrograms attaches the loaded programs of progs and returns the
// BEGIN and END programs, which run through RunOnce, and the links.
// Uprobes and usdt probes attach to the processes limit says. On error
// nothing stays attached.
func attachPrograms(progs []*codegen.Program, l *Loaded, limit procLimit) (begins, ends []*ebpf.Program, links []io.Closer, err error) {
	for _, p := range progs {
		prog := l.Programs[p.Name]
		switch p.Attach.Kind {
		case codegen.AttachBegin:
			begins = append(begins, prog)
			continue
		case codegen.AttachEnd:
			ends = append(ends, prog)
			continue
		}
		var c io.Closer
		ap, err := PlanAttachPoint(p.Attach)
		ap.Pid = limit.of(ap.Kind)
		if err == nil {
			c, err = Attach(prog, ap)
		}
		if err != nil {
			for _, c := range links {
				c.Close()
			}
			return nil, nil, nil, err
		}
		links = append(links, c)
	}
	return begins, ends, links, nil
}

func (r *run) prepareFormats() error {
	for _, pf := range r.obj.Printfs {
		f, err := NewFormat(pf.Format)
		if err != nil {
			return fmt.Errorf("printf at %s: %w", pf.Pos, err)
		}
		r.formats = append(r.formats, f)
	}
	return nil
}

func (r *run) readerDone() <-chan struct{} {
	if r.reader == nil {
		return nil
	}
	return r.reader.Done()
}

func (r *run) stopReader() error {
	if r.reader == nil {
		return nil
	}
	return r.reader.Close()
}

// event handles one ring buffer record.
func (r *run) event(rec []byte) error {
	if len(rec) < codegen.EventHeaderSize {
		return nil
	}
	kind, index := codegen.SplitEventHeader(binary.NativeEndian.Uint64(rec))
	if r.afterExit.Load() {
		return nil
	}
	switch kind {
	case codegen.EventPrintf:
		if int(index) >= len(r.formats) {
			return fmt.Errorf("printf record with unknown format %d", index)
		}
		pf := r.obj.Printfs[index]
		args := make([]Value, len(pf.Args))
		for i, a := range pf.Args {
			args[i] = r.dec.field(rec, a)
		}
		r.out.Printf(string(r.formats[index].Append(nil, args)))
	case codegen.EventExit:
		if len(rec) >= codegen.ExitRecordSize {
			r.code = int(int64(binary.NativeEndian.Uint64(rec[codegen.EventHeaderSize:])))
		}
		r.exitOnce.Do(func() {
			r.afterExit.Store(r.stopAtExit.Load())
			close(r.exited)
		})
	case codegen.EventPrint:
		return r.printMap(rec, index)
	case codegen.EventClear, codegen.EventZero:
		return r.resetMap(kind, index)
	case codegen.EventTime:
		return r.printTime(index)
	case codegen.EventProcess:
		r.dec.process(rec)
	case codegen.EventPrintValue:
		return r.printValue(rec, index)
	case codegen.EventJoin:
		return r.printJoin(rec, index)
	case codegen.EventCat:
		return r.printCat(rec, index)
	case codegen.EventSystem:
		return r.runSystem(rec, index)
	case codegen.EventRuntimeError:
		if int(index) >= len(r.obj.RuntimeErrors) {
			return fmt.Errorf("runtime error record with unknown site %d", index)
		}
		if w, ok := r.warn.Load().(io.Writer); ok {
			io.WriteString(w, r.obj.RuntimeErrors[index].Text)
		}
	default:
		return fmt.Errorf("unknown event kind %d", kind)
	}
	return nil
}

// printJoin handles an EventJoin record (codegen/join.go): the strings
// read, joined by the call site's separator.
func (r *run) printJoin(rec []byte, index uint32) error {
	const header = codegen.JoinHeader
	if int(index) >= len(r.obj.JoinSeps) || len(rec) < header {
		return fmt.Errorf("join record with unknown separator %d", index)
	}
	n := min(binary.NativeEndian.Uint64(rec[8:]), codegen.JoinMaxArgs)
	slot := codegen.JoinSlotSize(len(rec))
	parts := make([]string, 0, n)
	for i := range int(n) {
		s := rec[header+i*slot : header+(i+1)*slot]
		if j := bytes.IndexByte(s, 0); j >= 0 {
			s = s[:j]
		}
		parts = append(parts, string(s))
	}
	r.out.Join(strings.Join(parts, r.obj.JoinSeps[index]))
	return nil
}

// reportLost tells how many events the full ring buffer refused, if any.
func (r *run) reportLost(stderr io.Writer) {
	if r.reader == nil {
		return
	}
	n, err := r.reader.Dropped()
	if err != nil {
		fmt.Fprintf(stderr, "gbt: %v\n", err)
	}
	if n > 0 {
		r.out.LostEvents(n)
	}
}

// readMaps reads every script map, empty ones too: bpftrace 0.17 prints
// those at exit as well (the printers know how).
func (r *run) readMaps() ([]*Map, error) {
	return readScriptMaps(r.dec, r.obj, r.l.Maps)
}

// readScriptMaps reads the script maps of obj found in kernel (by
// codegen.Map.Name). Run and Session share it.
func readScriptMaps(dec *decoder, obj *codegen.Object, kernel map[string]*ebpf.Map) ([]*Map, error) {
	var maps []*Map
	for _, m := range obj.Maps {
		if m.Kind != codegen.MapScript {
			continue
		}
		em := kernel[m.Name]
		if em == nil {
			continue
		}
		mm, err := dec.readMap(m, em)
		if err != nil {
			return nil, err
		}
		maps = append(maps, mm)
	}
	return maps, nil
}
