package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gbt-project/gbt/runtime"
	"github.com/gbt-project/gbt/stdlib"
)

// Completion of user-space probes (uprobe, uretprobe, usdt): a path to
// the binary (directories, then files), then after the binary's ':' its
// function symbols or its USDT probes ("provider:name"), read once per
// binary and session. The binary may also be named as an attach point
// names it (a program in $PATH, a library). A large binary has thousands
// of symbols, so the candidates are bounded (boundCandidates).

// maxCandidates bounds how many candidates Tab lists for a user probe.
const maxCandidates = 100

// userProbeWord returns the user probe being typed at the end of before
// ("uprobe:/usr/bin/bash:read"), which holds '/' and ':' and so is not a
// word to the other completions; ok is false when none is.
func userProbeWord(before string) (word string, ok bool) {
	word = before[strings.LastIndexAny(before, " \t{},")+1:]
	kind, _, ok := strings.Cut(word, ":")
	return word, ok && isUserKind(kind)
}

// isUserKind reports whether name (or its alias) is uprobe, uretprobe or
// usdt.
func isUserKind(name string) bool {
	k := stdlib.ProbeKind(name)
	return k != nil && (k.Name == "uprobe" || k.Name == "uretprobe" || k.Name == "usdt")
}

// userCandidates returns the completions of word, a user probe being
// typed, each the whole word completed, bounded in number.
func (c *completer) userCandidates(word string) []string {
	kind, rest, _ := strings.Cut(word, ":")
	target, _, hasProbe := strings.Cut(rest, ":")
	var cands []string
	if !hasProbe {
		for _, p := range pathNames(target) {
			cands = append(cands, kind+":"+p)
		}
	} else {
		prefix := kind + ":" + target + ":"
		for _, n := range c.binaryProbes(stdlib.ProbeKind(kind).Name == "usdt", target) {
			cands = append(cands, prefix+n)
		}
	}
	var out []string
	for _, cand := range cands {
		if strings.HasPrefix(cand, word) {
			out = append(out, cand)
		}
	}
	return boundCandidates(out, len(word), maxCandidates)
}

// binaryProbes returns, sorted, the function symbols of the binary target
// names, or its USDT probes; nothing when it cannot be read.
func (c *completer) binaryProbes(usdt bool, target string) []string {
	pid := 0
	if c.r.o != nil {
		pid = c.r.o.pid
	}
	path, err := runtime.ResolveBinaryIn(target, pid)
	if err != nil {
		return nil
	}
	key := "uprobe:" + path
	if usdt {
		key = "usdt:" + path
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if names, ok := c.binaries[key]; ok {
		return names
	}
	var names []string
	if usdt {
		probes, err := runtime.ReadUSDTProbes(path)
		if err == nil {
			for _, p := range probes {
				names = append(names, p.String())
			}
		}
	} else if syms, err := runtime.OpenELFSymbols(path); err == nil {
		for _, s := range syms.MatchFuncs("*") {
			names = append(names, s.Name)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	if c.binaries == nil {
		c.binaries = map[string][]string{}
	}
	c.binaries[key] = names
	return names
}

// pathNames completes a path to a binary: the entries of its directory
// that start with its last element, directories ending in '/', other
// files in ':' (what follows the binary). Only paths with a '/' are
// completed; a bare name is a program or a library typed whole.
func pathNames(partial string) []string {
	if !strings.Contains(partial, "/") {
		return nil
	}
	dir, base := filepath.Split(partial)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".") {
			continue
		}
		info, err := os.Stat(filepath.Join(dir, name))
		switch {
		case err != nil:
		case info.IsDir():
			out = append(out, dir+name+"/")
		case info.Mode().IsRegular():
			out = append(out, dir+name+":")
		}
	}
	return out
}

// boundCandidates returns cands (sorted, each starting with the typed
// word of n bytes) when there are at most max; otherwise the longest
// prefixes that group them into at most max groups, so that Tab lists a
// few and extends the word as far as every candidate agrees, as it would
// with the whole list. The first grouping (one more byte) is returned
// even when it has more groups than max.
func boundCandidates(cands []string, n, max int) []string {
	slices.Sort(cands)
	cands = slices.Compact(cands)
	if len(cands) <= max {
		return cands
	}
	best := prefixes(cands, n+1)
	for l := n + 2; ; l++ {
		groups := prefixes(cands, l)
		if len(groups) > max {
			return best
		}
		best = groups
	}
}

// prefixes returns the distinct prefixes of length l of sorted cands (a
// shorter candidate whole).
func prefixes(cands []string, l int) []string {
	var out []string
	for _, c := range cands {
		p := c[:min(l, len(c))]
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	return out
}
