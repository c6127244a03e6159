package runtime

import (
	"debug/elf"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// StackRaw renders a stack as its bare addresses, one per frame
// (kstack(raw), ustack(raw)): the symbolizer leaves every frame's Sym empty.
const StackRaw StackMode = StackPerf + 1

// Symbolizer turns kernel and user addresses into names for stacks,
// ksym() and usym(). Kernel symbols come from /proc/kallsyms, read on first
// use; user symbols from the ELF symbol tables of the files a process has
// mapped, found through its /proc/PID/maps, which are read on first use
// per pid and read again when an address falls outside every known
// mapping (the process may have loaded a library since). Resolve user
// addresses while the process lives: once it has exited, its maps are
// gone and its frames print as addresses. Safe for concurrent use.
type Symbolizer struct {
	mu    sync.Mutex
	procs map[int]*procMaps
}

// procMaps is the memory map of one process as last read.
type procMaps struct {
	maps []ProcMapping
	read time.Time
}

// rereadInterval limits how often a process's maps are read again for
// addresses outside every mapping (garbage frames would otherwise make
// each lookup read the file).
const rereadInterval = 100 * time.Millisecond

// NewSymbolizer returns an empty symbolizer.
func NewSymbolizer() *Symbolizer {
	return &Symbolizer{procs: map[int]*procMaps{}}
}

// Forget drops what the symbolizer knows of process pid, for a process
// that has exited (its pid may be reused).
func (s *Symbolizer) Forget(pid int) {
	s.mu.Lock()
	delete(s.procs, pid)
	s.mu.Unlock()
}

// KernelStack symbolizes the addresses of a kernel stack, innermost first,
// each frame "function+offset" (or the bare address when unresolved, and
// always in StackRaw mode).
func (s *Symbolizer) KernelStack(addrs []uint64, mode StackMode) *Stack {
	st := &Stack{Mode: mode, Frames: make([]Frame, len(addrs))}
	ks, _ := LoadKernelSymbols()
	for i, a := range addrs {
		st.Frames[i].Addr = a
		if mode == StackRaw || ks == nil {
			continue
		}
		if sym, off, ok := ks.Symbolize(a); ok {
			st.Frames[i].Sym = sym.Name + "+" + strconv.FormatUint(off, 10)
		}
	}
	return st
}

// UserStack symbolizes the addresses of a user stack of process pid,
// innermost first: each frame "function+offset" with the file it belongs
// to as Module.
func (s *Symbolizer) UserStack(pid int, addrs []uint64, mode StackMode) *Stack {
	st := &Stack{Mode: mode, User: true, Frames: make([]Frame, len(addrs))}
	for i, a := range addrs {
		st.Frames[i].Addr = a
		if mode == StackRaw {
			continue
		}
		name, off, module, ok := s.resolveUser(pid, a)
		st.Frames[i].Module = module
		if ok {
			st.Frames[i].Sym = SymOffset(name, off)
		}
	}
	return st
}

// Ksym returns the name of the kernel symbol containing addr, as ksym()
// prints it: the name alone, or the address in hex when unresolved.
func (s *Symbolizer) Ksym(addr uint64) string {
	if ks, _ := LoadKernelSymbols(); ks != nil {
		if sym, _, ok := ks.Symbolize(addr); ok {
			return sym.Name
		}
	}
	return hexAddr(addr)
}

// Usym returns the name of the function of process pid containing addr,
// as usym() prints it: the demangled name alone, or the address in hex.
func (s *Symbolizer) Usym(pid int, addr uint64) string {
	if name, _, _, ok := s.resolveUser(pid, addr); ok {
		return Demangle(name)
	}
	return hexAddr(addr)
}

// Uaddr returns the address of the symbol name in the binary or library
// path as process pid maps it (or as the file states it, for pid 0 or a
// fixed-address executable), as uaddr() needs.
func (s *Symbolizer) Uaddr(path, name string, pid int) (uint64, error) {
	syms, err := OpenELFSymbols(path)
	if err != nil {
		return 0, err
	}
	sym, ok := syms.Lookup(name)
	if !ok {
		return 0, fmt.Errorf("%s has no symbol %q", path, name)
	}
	if pid == 0 || syms.Type == elf.ET_EXEC {
		return sym.Addr, nil
	}
	// The load bias, from any mapping of the file: the symbol may be
	// data in .bss, which has no bytes in the file to be mapped.
	for _, m := range s.maps(pid, false) {
		if !sameFile(m, path) {
			continue
		}
		if vaddr, ok := syms.VirtAddr(m.Offset); ok {
			return sym.Addr + m.Start - vaddr, nil
		}
	}
	return 0, fmt.Errorf("process %d has not mapped %s", pid, path)
}

// hexAddr formats an unresolved address as bpftrace 0.17 does.
func hexAddr(addr uint64) string {
	if addr == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(addr, 16)
}

// resolveUser finds the function of process pid that contains addr,
// returning its (mangled) name, the offset and the mapped file.
func (s *Symbolizer) resolveUser(pid int, addr uint64) (name string, off uint64, module string, ok bool) {
	m, found := findMapping(s.maps(pid, false), addr)
	if !found {
		m, found = findMapping(s.maps(pid, true), addr)
	}
	if !found || len(m.Path) == 0 || m.Path[0] != '/' {
		return "", 0, m.Path, false
	}
	syms, err := OpenELFSymbols(procFilePath(pid, m))
	if err != nil {
		return "", 0, m.Path, false
	}
	vaddr, inFile := syms.VirtAddr(addr - m.Start + m.Offset)
	if !inFile {
		return "", 0, m.Path, false
	}
	sym, off, ok := syms.Symbolize(vaddr)
	return sym.Name, off, m.Path, ok
}

// maps returns the cached memory map of pid, reading it first when it is
// not cached, or when reread is set and it was read long enough ago.
func (s *Symbolizer) maps(pid int, reread bool) []ProcMapping {
	s.mu.Lock()
	defer s.mu.Unlock()
	pm, ok := s.procs[pid]
	if ok && (!reread || time.Since(pm.read) < rereadInterval) {
		return pm.maps
	}
	m, err := ReadProcMaps(pid)
	if err != nil {
		// Keep what was known: the process may have just exited.
		if ok {
			return pm.maps
		}
		return nil
	}
	s.procs[pid] = &procMaps{maps: m, read: time.Now()}
	return m
}

// procFilePath returns a path to the file of mapping m that this process
// can open: its own path when that is the same file here, otherwise the
// path through /proc/PID/root (another mount namespace).
func procFilePath(pid int, m ProcMapping) string {
	if sameFile(m, m.Path) {
		return m.Path
	}
	return fmt.Sprintf("/proc/%d/root%s", pid, m.Path)
}

// sameFile reports whether path is the file mapping m maps.
func sameFile(m ProcMapping, path string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && sys.Ino == m.Inode
}
