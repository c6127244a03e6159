package runtime

import (
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// AttachUprobe attaches a Kprobe-type program to a function of a user-space
// binary, at its entry (KindUprobe) or its return (KindUretprobe). ap.Target
// is the binary, resolved by ResolveBinary; ap.Symbol the function (plus
// ap.Offset bytes) or, when empty, ap.Offset is the function's offset in
// the file; ap.Pid limits the probe to one process.
func AttachUprobe(prog *ebpf.Program, ap AttachPoint) (link.Link, error) {
	path, err := ResolveBinary(ap.Target)
	if err != nil {
		return nil, err
	}
	exe, err := link.OpenExecutable(path)
	if err != nil {
		return nil, err
	}
	opts := &link.UprobeOptions{PID: ap.Pid}
	if ap.Symbol == "" {
		opts.Address = ap.Offset
	} else {
		opts.Offset = ap.Offset
	}
	switch ap.Kind {
	case KindUprobe:
		return exe.Uprobe(ap.Symbol, prog, opts)
	case KindUretprobe:
		return exe.Uretprobe(ap.Symbol, prog, opts)
	}
	return nil, fmt.Errorf("AttachUprobe: kind %q is not a uprobe", ap.Kind)
}

// libraryDirs are searched for shared libraries named without a path.
var libraryDirs = []string{
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
	"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	"/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
}

// ResolveBinary finds the file a uprobe names. A name with a '/' is a path
// and must exist. Otherwise it is an executable in $PATH ("bash") or a
// shared library in the usual library directories, with or without its
// "lib" prefix and ".so" suffix ("libc", "c", "libc.so.6").
func ResolveBinary(name string) (string, error) {
	if strings.Contains(name, "/") {
		if _, err := os.Stat(name); err != nil {
			return "", fmt.Errorf("uprobe target: %w", err)
		}
		return name, nil
	}
	if path, err := exec.LookPath(name); err == nil {
		return path, nil
	}
	base := strings.TrimSuffix(name, ".so")
	if !strings.HasPrefix(base, "lib") {
		base = "lib" + base
	}
	for _, dir := range libraryDirs {
		if lib := findLibrary(dir, name, base); lib != "" {
			return lib, nil
		}
	}
	return "", fmt.Errorf("uprobe target %q: no such executable in $PATH or library in %s", name, strings.Join(libraryDirs, ", "))
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
