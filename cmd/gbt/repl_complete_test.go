package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/runtime"
	"github.com/gbt-project/gbt/runtime/usdttest"
)

// TestREPLCompleteUser checks what Tab offers in a user probe: the path
// to the binary, then its functions (uprobe, uretprobe, their aliases) or
// its USDT probes, also in the second probe of a list.
func TestREPLCompleteUser(t *testing.T) {
	exe := usdttest.Build(t)
	dir := filepath.Dir(exe)
	r := &repl{o: &options{}, sess: runtime.NewSession(runtime.SessionOptions{Out: runtime.NewText(io.Discard, io.Discard)})}
	c := &completer{r: r}
	tests := []struct {
		line string
		want []string
	}{
		{"uprobe:" + dir + "/us", []string{"dt:"}},
		{"uprobe:" + exe + ":gbt_ad", []string{"d"}},
		{"u:" + exe + ":gbt_l", []string{"oop"}},
		{"uretprobe:" + exe + ":_ZN3gbt", []string{"3cxxEi"}},
		{"usdt:" + exe + ":", []string{"gbt:consts", "gbt:counted", "gbt:global", "gbt:regs", "gbt:stack"}},
		{"U:" + exe + ":gbt:c", []string{"onsts", "ounted"}},
		{"usdt:" + exe + ":gbt:r", []string{"egs"}},
		{"uprobe:" + exe + ":gbt_add, uretprobe:" + exe + ":gbt_ad", []string{"d"}},
		{"uprobe:" + exe + ":nosuchfunction", nil},
		{"uprobe:/nonexistent/bin:", nil},
	}
	for _, tt := range tests {
		cands, n := c.Do([]rune(tt.line), len([]rune(tt.line)))
		var got []string
		for _, cand := range cands {
			got = append(got, string(cand))
		}
		word := tt.line[strings.LastIndex(tt.line, " ")+1:]
		if !cmp.Equal(got, tt.want) || n != len(word) {
			t.Errorf("Do(%q) = %q, %d; want %q, %d", tt.line, got, n, tt.want, len(word))
		}
	}
}

// TestREPLCompleteBounded completes the functions of a binary with
// thousands of them (libc, named as an attach point may name it): at most
// maxCandidates are offered, each a prefix of some function, together
// covering every function.
func TestREPLCompleteBounded(t *testing.T) {
	libc, err := runtime.ResolveBinaryIn("libc", 0)
	if err != nil {
		t.Skipf("no libc to complete: %v", err)
	}
	syms, err := runtime.OpenELFSymbols(libc)
	if err != nil {
		t.Fatal(err)
	}
	funcs := syms.MatchFuncs("*")
	if len(funcs) <= maxCandidates {
		t.Fatalf("%s has %d functions, too few to test the bound", libc, len(funcs))
	}
	c := &completer{r: &repl{o: &options{}}}
	word := "uprobe:libc:"
	cands, _ := c.Do([]rune(word), len([]rune(word)))
	if len(cands) == 0 || len(cands) > maxCandidates {
		t.Fatalf("%d candidates, want 1 to %d", len(cands), maxCandidates)
	}
	for _, cand := range cands {
		if !slices.ContainsFunc(funcs, func(f runtime.ELFSymbol) bool { return strings.HasPrefix(f.Name, string(cand)) }) {
			t.Errorf("candidate %q is no function's prefix", string(cand))
		}
	}
	for _, f := range funcs {
		covered := false
		for _, cand := range cands {
			covered = covered || strings.HasPrefix(f.Name, string(cand))
		}
		if !covered {
			t.Errorf("no candidate is a prefix of %s", f.Name)
		}
	}
}

func TestBoundCandidates(t *testing.T) {
	var many []string
	for _, c := range "ab" {
		for i := range 30 {
			many = append(many, fmt.Sprintf("w:%c%02d", c, i))
		}
	}
	tests := []struct {
		cands []string
		max   int
		want  []string
	}{
		{[]string{"w:b", "w:a", "w:a"}, 5, []string{"w:a", "w:b"}},
		{many, 100, many},
		{many, 10, []string{"w:a0", "w:a1", "w:a2", "w:b0", "w:b1", "w:b2"}},
		{many, 3, []string{"w:a", "w:b"}},
		// More groups than max one byte on: those groups all the same.
		{[]string{"w:a1", "w:b1", "w:c1"}, 2, []string{"w:a", "w:b", "w:c"}},
		// Every candidate agrees on more than the word: one group, which
		// readline writes in.
		{[]string{"w:xyz1", "w:xyz2", "w:xyz3"}, 2, []string{"w:xyz"}},
	}
	for _, tt := range tests {
		got := boundCandidates(append([]string(nil), tt.cands...), len("w:"), tt.max)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("boundCandidates(%q, %d) (-want +got):\n%s", tt.cands, tt.max, diff)
		}
	}
}
