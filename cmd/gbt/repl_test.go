package main

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gbt-project/gbt/lang"
	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/runtime"
)

// TestREPLScript runs the REPL stories in testdata/repl: sessions driven
// from standard input, with their exact output.
func TestREPLScript(t *testing.T) {
	wl := workload(t)
	testscript.Run(t, testscript.Params{
		Dir:           "../../testdata/repl",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("WORKLOAD", wl)
			env.Setenv("PATH", filepath.Dir(wl)+string(filepath.ListSeparator)+env.Getenv("PATH"))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "kernel" {
				return kernelTests(), nil
			}
			return false, nil
		},
		Cmds: scriptCmds,
	})
}

func TestComplete(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"", true},
		{".maps", true},
		{"!ls", true},
		{"print @x", true},
		{"print(@x, 10)", true},
		{"clear(@x)", true},
		{"#define N 1", true},
		{"BEGIN", false},
		{"tracepoint:syscalls:sys_enter_read", false},
		{"t:syscalls:sys_enter_read,", false},
		{"t:syscalls:sys_enter_read /pid == 1/", false},
		{"BEGIN {", false},
		{"BEGIN { printf(\"}\"); ", false},
		{"BEGIN { printf(\"{\"); }", true},
		{"BEGIN { // }\n", false},
		{"BEGIN { /* } */ }", true},
		{"BEGIN { if (1) { @x = 1; }", false},
		{"BEGIN { if (1) { @x = 1; } }", true},
		{"pritn @x", true}, // not a probe: compiled, so that the error shows
		{"BEGIN { } }", true},
	}
	for _, tt := range tests {
		if got := complete(tt.text); got != tt.want {
			t.Errorf("complete(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestMapCommand(t *testing.T) {
	tests := []struct {
		text string
		cmd  string
		args []string
		ok   bool
	}{
		{"print @x", "print", []string{"@x"}, true},
		{"print @", "print", []string{"@"}, true},
		{"print(@x)", "print", []string{"@x"}, true},
		{"print(@x, 10, 2);", "print", []string{"@x", "10", "2"}, true},
		{"print @x, 5", "print", []string{"@x", "5"}, true},
		{"clear @counts", "clear", []string{"@counts"}, true},
		{"zero(@h)", "zero", []string{"@h"}, true},
		{"print(@x", "", nil, false},
		{"print $x", "", nil, false},
		{"printf(\"x\")", "", nil, false},
		{"BEGIN { print(@x); }", "", nil, false},
	}
	for _, tt := range tests {
		cmd, args, ok := mapCommand(tt.text)
		if cmd != tt.cmd || !cmp.Equal(args, tt.args) || ok != tt.ok {
			t.Errorf("mapCommand(%q) = %q, %q, %v; want %q, %q, %v", tt.text, cmd, args, ok, tt.cmd, tt.args, tt.ok)
		}
	}
}

// TestRenderInBlock checks that a diagnostic of the whole program is drawn
// against the block it falls in, with the block's own line numbers.
func TestRenderInBlock(t *testing.T) {
	blocks := []*replBlock{
		{n: 1, text: "BEGIN {\n  @x = count();\n}"},
		{text: "#define N 3"},
		{text: "END {\n  printf(\"%d\\n\", N);\n  @x = \"s\";\n}"},
	}
	p := compose(blocks)
	prog, err := lang.Parse(replFile, p.src)
	if err == nil {
		err = lang.Check(prog, lang.CheckOptions{})
	}
	if err == nil {
		t.Fatal("no error for a string assigned to a count map")
	}
	got := p.render(err)
	want := `stdin:3:3-5: ERROR: Type mismatch for @x: trying to assign value of type 'string[2]' when map already contains a value of type 'count'
  @x = "s";
  ~~
`
	if got != want {
		t.Errorf("render:\n%s\nwant:\n%s", got, want)
	}
	if p.newStart() != len("BEGIN {\n  @x = count();\n}\n#define N 3\n") {
		t.Errorf("newStart = %d", p.newStart())
	}

	// A diagnostic in an earlier block names it; one that runs past its
	// block is drawn to the block's end.
	p = compose([]*replBlock{{n: 4, text: "BEGIN {\n  @y = 1;\n}"}, {text: "BEGIN { @y = \"s\"; }"}})
	at := func(off int) ast.Pos {
		line := 1 + strings.Count(string(p.src[:off]), "\n")
		return ast.Pos{Offset: off, Line: line, Col: off - strings.LastIndex(string(p.src[:off]), "\n")}
	}
	y := strings.Index(string(p.src), "@y")
	list := ast.ErrorList{
		{File: replFile, Pos: at(y), End: at(y + 2), Msg: "first"},
		{File: replFile, Pos: at(y + 3), End: at(len(p.src) - 2), Msg: "long"},
	}
	want = `block 4:2:3-5: ERROR: first
  @y = 1;
  ~~
block 4:2:6: ERROR: long
  @y = 1;
     ~~~~
`
	if got := p.render(list); got != want {
		t.Errorf("render:\n%s\nwant:\n%s", got, want)
	}
	if got := p.render(errors.New("plain")); got != "gbt: plain\n" {
		t.Errorf("plain error: %q", got)
	}
}

func TestScriptSave(t *testing.T) {
	blocks := []*replBlock{
		{n: 1, text: "BEGIN { @a = 1; }"},
		{text: "#define N 2"},
		{n: 2, text: "END {\n  @b = N;\n}", detached: true},
		{n: 3, text: "END { @c = N; }"},
	}
	want := "BEGIN { @a = 1; }\n\n#define N 2\n\nEND { @c = N; }\n"
	if got := script(blocks); got != want {
		t.Errorf("script = %q, want %q", got, want)
	}
}

// TestStopWriter checks that a cancelled print stops between lines.
func TestStopWriter(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out strings.Builder
	w := &stopWriter{ctx: ctx, w: &out}
	if n, err := w.Write([]byte("a\nb\n")); n != 4 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	cancel()
	if n, err := w.Write([]byte("c\nd\n")); n != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("Write after cancel = %d, %v; want 0, context.Canceled", n, err)
	}
	if out.String() != "a\nb\n" {
		t.Errorf("wrote %q", out.String())
	}
}

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n          int
		what, want string
	}{
		{1, "probe", "1 probe"}, {2, "probe", "2 probes"}, {0, "entry", "0 entries"}, {1, "entry", "1 entry"},
	} {
		if got := plural(tt.n, tt.what); got != tt.want {
			t.Errorf("plural(%d, %q) = %q, want %q", tt.n, tt.what, got, tt.want)
		}
	}
}

// TestCompleter checks what Tab offers where: commands at the start of a
// line, probe kinds where a probe starts, software events after their
// kind, builtins inside a block (also on a continuation line) or a
// predicate, and the map commands at the start of a line.
func TestCompleter(t *testing.T) {
	r := &repl{sess: runtime.NewSession(runtime.SessionOptions{Out: runtime.NewText(io.Discard, io.Discard)})}
	c := &completer{r: r}
	tests := []struct {
		pending, line string
		want          []string
		n             int
	}{
		{"", ".ma", []string{"ps"}, 3},
		{"", "tracepo", []string{"int:"}, 7},
		{"", "BEG", []string{"IN"}, 3},
		{"", "software:cpu-c", []string{"lock"}, 14},
		{"", "BEGIN { printf(\"%d\", ncp", []string{"us"}, 3},
		{"BEGIN {", "  ncp", []string{"us"}, 3},
		{"", "zer", []string{"o"}, 3},
		{"", "BEGIN { @x = cou", []string{"nt"}, 3},
		{"", "t:syscalls:sys_enter_read /pi", []string{"d"}, 2},
		{"", "BEGIN { @x = 1-ncp", []string{"us"}, 3},
		{"", "@", nil, 1},
	}
	for _, tt := range tests {
		r.setPending(nil)
		if tt.pending != "" {
			r.setPending([]string{tt.pending})
		}
		cands, n := c.Do([]rune(tt.line), len([]rune(tt.line)))
		var got []string
		for _, cand := range cands {
			got = append(got, string(cand))
		}
		if !cmp.Equal(got, tt.want) || n != tt.n {
			t.Errorf("Do(%q after %q) = %q, %d; want %q, %d", tt.line, tt.pending, got, n, tt.want, tt.n)
		}
	}
}
