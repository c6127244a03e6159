package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/gbt-project/gbt/examples"
)

// toolNames lists the canned tools, without their .bt suffix.
func toolNames() []string {
	entries, _ := fs.ReadDir(examples.Tools, ".")
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".bt"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// toolSource returns the text of the canned tool called name ("opensnoop"
// or "opensnoop.bt"), if there is one and no file of that name exists.
func toolSource(name string) ([]byte, bool) {
	if strings.Contains(name, "/") {
		return nil, false
	}
	if _, err := os.Stat(name); err == nil {
		return nil, false
	}
	src, err := fs.ReadFile(examples.Tools, strings.TrimSuffix(name, ".bt")+".bt")
	return src, err == nil
}

// listTools prints each canned tool with the first line of its comment
// header ("opensnoop: every open(2)...").
func listTools(w io.Writer) {
	for _, n := range toolNames() {
		src, _ := fs.ReadFile(examples.Tools, n+".bt")
		fmt.Fprintf(w, "%-14s %s\n", n, toolSummary(src))
	}
}

// toolSummary is the text after "name: " on the first comment line.
func toolSummary(src []byte) string {
	for _, line := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, "// "); ok {
			if _, after, ok := strings.Cut(rest, ": "); ok {
				return after
			}
			return rest
		}
	}
	return ""
}
