package runtime

import (
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// AttachUprobe attaches a Kprobe-type program to a function of a user-space
// binary, at its entry (KindUprobe) or its return (KindUretprobe). ap.Target
// is the binary, resolved by ResolveBinaryIn (through ap.Pid's memory maps
// when set); ap.Symbol the function (plus ap.Offset bytes, which must lie
// inside it) or, when empty, ap.Offset is the function's virtual address in
// the binary; ap.Pid limits the probe to one process. The symbol is looked
// up in the binary's .symtab and .dynsym (OpenELFSymbols), so a function of
// a shared library attaches as well as one of an executable.
func AttachUprobe(prog *ebpf.Program, ap AttachPoint) (link.Link, error) {
	path, err := ResolveBinaryIn(ap.Target, ap.Pid)
	if err != nil {
		return nil, err
	}
	off, err := uprobeFileOffset(path, ap.Symbol, ap.Offset)
	if err != nil {
		return nil, err
	}
	return attachUprobeAt(prog, path, off, ap.Kind == KindUretprobe, ap.Pid, 0)
}

// uprobeFileOffset returns the file offset of symbol+offset in the binary
// at path, or of the virtual address offset when symbol is empty. A
// symbol that is not in the file but reads as a number ("0x1270", as in
// uprobe:/bin/x:0x1270) is a virtual address too.
func uprobeFileOffset(path, symbol string, offset uint64) (uint64, error) {
	syms, err := OpenELFSymbols(path)
	if err != nil {
		return 0, err
	}
	addr := offset
	if symbol != "" {
		sym, ok := syms.Lookup(symbol)
		if a, err := strconv.ParseUint(symbol, 0, 64); !ok && err == nil {
			return syms.FileOffset(a + offset)
		}
		if !ok {
			return 0, fmt.Errorf("%s has no symbol %q", path, symbol)
		}
		if offset != 0 && offset >= sym.Size {
			return 0, fmt.Errorf("offset %d is outside %s (%d bytes) in %s", offset, symbol, sym.Size, path)
		}
		addr = sym.Addr + offset
	}
	return syms.FileOffset(addr)
}

// attachUprobeAt attaches prog at the byte at file offset off of the binary
// at path; refCtr, when not zero, is the file offset of a USDT semaphore
// the kernel increments while the probe is attached.
func attachUprobeAt(prog *ebpf.Program, path string, off uint64, ret bool, pid int, refCtr uint64) (link.Link, error) {
	exe, err := link.OpenExecutable(path)
	if err != nil {
		return nil, err
	}
	opts := &link.UprobeOptions{Address: off, PID: pid, RefCtrOffset: refCtr}
	if ret {
		return exe.Uretprobe("", prog, opts)
	}
	return exe.Uprobe("", prog, opts)
}

// ExpandUprobe expands a uprobe or uretprobe whose Symbol has wildcards
// ("read*") into one attach point per matching function symbol of the
// binary, sorted by name, each with the binary's resolved path. An attach
// point without wildcards is returned as it is. No match is an error.
func ExpandUprobe(ap AttachPoint) ([]AttachPoint, error) {
	if !hasWildcard(ap.Symbol) {
		return []AttachPoint{ap}, nil
	}
	path, err := ResolveBinaryIn(ap.Target, ap.Pid)
	if err != nil {
		return nil, err
	}
	syms, err := OpenELFSymbols(path)
	if err != nil {
		return nil, err
	}
	var aps []AttachPoint
	for _, sym := range syms.MatchFuncs(ap.Symbol) {
		one := ap
		one.Target, one.Symbol = path, sym.Name
		aps = append(aps, one)
	}
	if len(aps) == 0 {
		return nil, fmt.Errorf("%s: no function of %s matches %q", ap, path, ap.Symbol)
	}
	return aps, nil
}

// libraryDirs are searched for shared libraries named without a path.
var libraryDirs = []string{
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
	"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	"/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
}

// ResolveBinary finds the file a uprobe or usdt probe names, as
// ResolveBinaryIn does for no particular process.
func ResolveBinary(name string) (string, error) { return ResolveBinaryIn(name, 0) }

// ResolveBinaryIn finds the file a uprobe or usdt probe names, as bpftrace
// does. A name with a '/' is a path and must exist. Otherwise, when pid is
// not 0, a library that process has mapped ("libc" -> its libc.so.6, seen
// through /proc/PID/root when it lives in another mount namespace); then an
// executable in $PATH ("bash"); then a library the dynamic loader knows
// (/etc/ld.so.cache), and last one in the usual library directories. A
// library may be named with or without its "lib" prefix and ".so" suffix
// ("libc", "c", "libc.so.6").
func ResolveBinaryIn(name string, pid int) (string, error) {
	if strings.Contains(name, "/") {
		if _, err := os.Stat(name); err != nil {
			return "", fmt.Errorf("uprobe target: %w", err)
		}
		return name, nil
	}
	base := strings.TrimSuffix(name, ".so")
	if !strings.HasPrefix(base, "lib") {
		base = "lib" + base
	}
	if pid != 0 {
		if lib, err := mappedLibrary(pid, name, base); err != nil || lib != "" {
			return lib, err
		}
	}
	if path, err := exec.LookPath(name); err == nil {
		return path, nil
	}
	if lib := loaderLibrary(name, base); lib != "" {
		return lib, nil
	}
	for _, dir := range libraryDirs {
		if lib := findLibrary(dir, name, base); lib != "" {
			return lib, nil
		}
	}
	return "", fmt.Errorf("uprobe target %q: no such executable in $PATH or library in /etc/ld.so.cache or %s", name, strings.Join(libraryDirs, ", "))
}

// isLibraryName reports whether file is the library name or base.so[.N].
func isLibraryName(file, name, base string) bool {
	return file == name || file == base+".so" || strings.HasPrefix(file, base+".so.")
}

// loaderLibrary returns the library the dynamic loader's cache knows as
// name, or as base.so[.N] (the shortest such name, usually the soname).
func loaderLibrary(name, base string) string {
	best := ""
	bestName := ""
	for _, e := range loaderLibraries() {
		if !isLibraryName(e.Name, name, base) || !isELF(e.Path) {
			continue
		}
		if e.Name == name {
			return e.Path
		}
		if best == "" || len(e.Name) < len(bestName) || len(e.Name) == len(bestName) && e.Name < bestName {
			best, bestName = e.Path, e.Name
		}
	}
	return best
}

// mappedLibrary returns the file of a library called name or base.so[.N]
// that process pid has mapped, as a path this process can open: the
// mapped path itself when it is the same file here, otherwise the path
// through /proc/PID/root. It returns "" when no mapping matches.
func mappedLibrary(pid int, name, base string) (string, error) {
	maps, err := ReadProcMaps(pid)
	if err != nil {
		return "", err
	}
	for _, m := range maps {
		if !strings.HasPrefix(m.Path, "/") || !isLibraryName(filepath.Base(m.Path), name, base) {
			continue
		}
		if st, err := os.Stat(m.Path); err == nil {
			if sys, ok := st.Sys().(*syscall.Stat_t); ok && sys.Ino == m.Inode {
				return m.Path, nil
			}
		}
		return fmt.Sprintf("/proc/%d/root%s", pid, m.Path), nil
	}
	return "", nil
}

// findLibrary looks in dir for an ELF file called name, then base.so or
// base.so.<version>, taking the shortest (the soname) when there are
// several. (A development "libc.so" may be a linker script, not ELF.)
func findLibrary(dir, name, base string) string {
	if p := filepath.Join(dir, name); isELF(p) {
		return p
	}
	matches, _ := filepath.Glob(filepath.Join(dir, base+".so*"))
	sort.Slice(matches, func(i, j int) bool {
		if len(matches[i]) != len(matches[j]) {
			return len(matches[i]) < len(matches[j])
		}
		return matches[i] < matches[j]
	})
	for _, m := range matches {
		if isELF(m) {
			return m
		}
	}
	return ""
}

// isELF reports whether path is (or links to) an ELF file.
func isELF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 4)
	_, err = io.ReadFull(f, magic)
	return err == nil && string(magic) == elf.ELFMAG
}
