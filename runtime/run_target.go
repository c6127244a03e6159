package runtime

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gbt-project/gbt/codegen"
)

// setTarget writes what the programs read of the run's target into the
// config map: the pid of the -c command (cpid), and the addresses of the
// symbols of kaddr() and uaddr(), user symbols as process pid (the -p or
// -c process; 0 for none) maps them.
func setTarget(obj *codegen.Object, l *Loaded, held *HeldCommand, pid int) error {
	m := l.Maps[codegen.ConfigName]
	if m == nil {
		return nil
	}
	val := make([]byte, m.ValueSize())
	if err := m.Lookup(uint32(0), &val); err != nil {
		return fmt.Errorf("reading the config map: %w", err)
	}
	if held != nil {
		binary.NativeEndian.PutUint64(val[codegen.ConfigCpid:], uint64(held.Pid))
	}
	for i, ref := range obj.Symbols {
		addr, err := symbolAddr(ref, pid)
		if err != nil {
			return err
		}
		if off := codegen.SymbolSlot(i); off+8 <= len(val) {
			binary.NativeEndian.PutUint64(val[off:], addr)
		}
	}
	if err := m.Update(uint32(0), val, ebpf.UpdateExist); err != nil {
		return fmt.Errorf("writing the config map: %w", err)
	}
	return nil
}

// procLimit says which process uprobes and usdt probes attach to (0:
// every process). As in bpftrace, -p limits both to its process, and -c
// limits usdt probes to the command (whose binary they are in) but not
// uprobes: a command run through a shell (cpid the shell's) still reaches
// them; a script that wants the command alone says /pid == cpid/.
type procLimit struct{ uprobe, usdt int }

// of returns the pid an attach point of kind k is limited to.
func (p procLimit) of(k ProbeKind) int {
	switch k {
	case KindUprobe, KindUretprobe:
		return p.uprobe
	case KindUSDT:
		return p.usdt
	}
	return 0
}

// symbolAddr resolves a kaddr() or uaddr() symbol.
func symbolAddr(ref codegen.SymbolRef, pid int) (uint64, error) {
	if ref.Binary == "" {
		ks, err := LoadKernelSymbols()
		if err != nil {
			return 0, fmt.Errorf("kaddr(%q): %w", ref.Name, err)
		}
		a, ok := ks.Addr(ref.Name)
		if !ok {
			return 0, fmt.Errorf("kaddr(%q): no such kernel symbol", ref.Name)
		}
		return a, nil
	}
	path, err := ResolveBinaryIn(ref.Binary, pid)
	if err != nil {
		return 0, fmt.Errorf("uaddr(%q): %w", ref.Name, err)
	}
	sym := NewSymbolizer()
	a, err := sym.Uaddr(path, ref.Name, pid)
	if err != nil && pid != 0 {
		// The -c command has not exec'd the binary yet: the address
		// in the file, as for no process.
		a, err = sym.Uaddr(path, ref.Name, 0)
	}
	if err != nil {
		return 0, fmt.Errorf("uaddr(%q): %w", ref.Name, err)
	}
	return a, nil
}

// The memory map of the -p or -c process is read again every
// followFirst at first, when the -c command is about to exec and load its
// libraries, then less and less often, down to every followLast.
const (
	followFirst = time.Millisecond
	followLast  = 500 * time.Millisecond
)

// follow keeps the Symbolizer's copy of process pid's memory map fresh
// while the process lives, so that its user stacks and symbols still
// resolve once it has exited (gbt -c prints its maps after that). The
// returned function stops it.
func (sd *stackDecoder) follow(pid int) (stop func()) {
	if sd.sym == nil {
		sd.sym = NewSymbolizer()
	}
	sym := sd.sym
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		wait := followFirst
		for {
			if err := sym.remember(pid); errors.Is(err, errGone) {
				return
			}
			select {
			case <-done:
				return
			case <-time.After(wait):
			}
			wait = min(wait*5/4, followLast)
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// errGone says that a process has exited.
var errGone = errors.New("process has exited")

// remember reads the memory map of process pid now and caches it, unless
// the process has exited (errGone), when the last copy stays.
func (s *Symbolizer) remember(pid int) error {
	m, err := ReadProcMaps(pid)
	if err != nil || len(m) == 0 {
		return errGone
	}
	s.mu.Lock()
	s.procs[pid] = &procMaps{maps: m, read: time.Now()}
	s.mu.Unlock()
	return nil
}
