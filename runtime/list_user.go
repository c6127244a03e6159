package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The listers of the user-space probe kinds: their candidates come from
// the ELF file (or files, when the path has wildcards) the pattern names.

// listUprobes lists the function symbols of a binary as
// "uprobe:/path:function", the path as resolved ("uprobe:bash:readline"
// lists "uprobe:/usr/bin/bash:readline"). A pattern naming only the binary
// lists all its functions. Names are listed as the symbol tables store
// them: C++ names mangled, as uprobes attach to them. Verbose listings
// of uprobes show each function's parameters when the file's debug
// information has them.
func listUprobes(o *ListOptions, kind, rest string) ([]ListedProbe, error) {
	target, fn, _ := strings.Cut(rest, ":")
	if fn == "" {
		fn = "*"
	}
	paths, err := listTargets(kind, target, o.Pid)
	if err != nil {
		return nil, err
	}
	var out []ListedProbe
	for _, path := range paths {
		syms, err := OpenELFSymbols(path)
		if err != nil {
			return nil, err
		}
		for _, sym := range syms.MatchFuncs(fn) {
			p := ListedProbe{Name: kind + ":" + path + ":" + sym.Name}
			if o.Verbose && kind == "uprobe" {
				p.Args = funcParamDecls(path, sym.Name)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// funcParamDecls declares the parameters of function fn of the file at
// path, as args reads them ("int i", "const char * s"), from its DWARF.
// A function whose parameters args cannot read (no debug information, Go
// code) is listed without them, as bpftrace lists a binary without DWARF.
func funcParamDecls(path, fn string) []string {
	params, err := ReadFuncParams(path, fn)
	if err != nil {
		return nil
	}
	decls := make([]string, len(params))
	for i, p := range params {
		decls[i] = strings.TrimSpace(p.CType + " " + p.Name)
	}
	return decls
}

// listUSDT lists the USDT probes of a binary as "usdt:/path:provider:name",
// each probe once however many locations it has. The part after the path
// is "provider:name" or just "name" (any provider); a pattern naming only
// the binary lists all its probes.
func listUSDT(o *ListOptions, kind, rest string) ([]ListedProbe, error) {
	target, probe, _ := strings.Cut(rest, ":")
	if probe == "" {
		probe = "*"
	}
	paths, err := listTargets(kind, target, o.Pid)
	if err != nil {
		return nil, err
	}
	var out []ListedProbe
	for _, path := range paths {
		probes, err := ReadUSDTProbes(path)
		if err != nil {
			return nil, err
		}
		for _, p := range MatchUSDT(probes, probe) {
			out = append(out, ListedProbe{Name: kind + ":" + path + ":" + p.String()})
		}
	}
	return out, nil
}

// listTargets resolves the binary of a user-space listing: "*" names the
// files mapped by process pid, or by every process when pid is 0; a path
// with wildcards names every ELF file it matches; anything else is
// resolved as an attach point's binary is (a path, a program in $PATH, a
// library).
func listTargets(kind, target string, pid int) ([]string, error) {
	switch target {
	case "":
		return nil, fmt.Errorf("listing %s probes needs a binary: %s:/path/to/binary:*", kind, kind)
	case "*":
		return mappedFiles(pid)
	}
	if !hasWildcard(target) {
		path, err := ResolveBinaryIn(target, pid)
		if err != nil {
			return nil, err
		}
		return []string{path}, nil
	}
	matches, err := filepath.Glob(target)
	if err != nil {
		return nil, fmt.Errorf("%s target %q: %w", kind, target, err)
	}
	var paths []string
	for _, m := range matches {
		if isELF(m) {
			paths = append(paths, m)
		}
	}
	if len(paths) == 0 {
		return nil, errors.New(kind + " target " + target + ": no ELF file matches")
	}
	return paths, nil
}

// mappedFiles returns the ELF files that process pid (every process, when
// pid is 0) maps executable, sorted, each once. Processes that exit or
// cannot be read meanwhile are passed over.
func mappedFiles(pid int) ([]string, error) {
	pids := []int{pid}
	if pid == 0 {
		entries, err := os.ReadDir("/proc")
		if err != nil {
			return nil, err
		}
		pids = pids[:0]
		for _, e := range entries {
			if n, err := strconv.Atoi(e.Name()); err == nil {
				pids = append(pids, n)
			}
		}
	}
	var paths []string
	for _, p := range pids {
		maps, err := ReadProcMaps(p)
		if err != nil {
			if pid != 0 {
				return nil, err
			}
			continue
		}
		for _, m := range maps {
			if m.Exec() && strings.HasPrefix(m.Path, "/") {
				paths = append(paths, m.Path)
			}
		}
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	return slices.DeleteFunc(paths, func(p string) bool { return !isELF(p) }), nil
}
