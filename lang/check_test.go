package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/google/go-cmp/cmp"
)

// mustCheck parses and checks src, failing the test on any diagnostic.
func mustCheck(t *testing.T, src string, opts CheckOptions) *ast.Program {
	t.Helper()
	prog, err := Parse("test.bt", []byte(src))
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	if err := Check(prog, opts); err != nil {
		t.Fatalf("check %q:\n%s", src, err.(ast.ErrorList).Render([]byte(src)))
	}
	return prog
}

func mapInfo(prog *ast.Program, name string) *ast.MapInfo {
	for _, m := range prog.Maps {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// TestExprTypes is the `-d types` table: each expression is stored in @v
// inside the given probe and the map's value type is compared.
func TestExprTypes(t *testing.T) {
	tests := []struct{ probe, expr, want string }{
		{"BEGIN", "pid", "uint32"},
		{"BEGIN", "tid", "uint32"},
		{"BEGIN", "uid", "uint64"},
		{"BEGIN", "nsecs", "uint64"},
		{"BEGIN", "comm", "string[16]"},
		{"BEGIN", "curtask", "struct task_struct *"},
		{"BEGIN", "username", "username"},
		{"BEGIN", "probe", "probe"},
		{"BEGIN", "kstack", "kstack"},
		{"BEGIN", "ustack(perf, 5)", "ustack"},
		{"BEGIN", "1 + 2", "int64"},
		{"BEGIN", "-1", "int64"},
		{"BEGIN", "(uint32)1 + 1", "uint64"},
		{"BEGIN", "(int8)1 - (uint64)2", "uint64"},
		{"BEGIN", "(uint8)1 + (uint16)2", "uint64"},
		{"BEGIN", "-(uint32)1", "uint64"},
		{"BEGIN", "~1", "int64"},
		{"BEGIN", "1 < 2", "bool"},
		{"BEGIN", "!pid", "bool"},
		{"BEGIN", "comm == \"bash\"", "bool"},
		{"BEGIN", "pid > 1 && uid == 0", "bool"},
		{"BEGIN", "\"abc\"", "string[4]"},
		{"BEGIN", "pid > 1 ? \"a\" : \"bcd\"", "string[4]"},
		{"BEGIN", "(1, \"a\")", "(int64, string[2])"},
		{"BEGIN", "(1, (comm, 2)).1.0", "string[16]"},
		{"BEGIN", "str(0)", "string[64]"},
		{"BEGIN", "str(0, 8)", "string[9]"},
		{"BEGIN", "buf(0, 8)", "buffer[8]"},
		{"BEGIN", "ksym(0)", "ksym"},
		{"BEGIN", "usym(0)", "usym"},
		{"BEGIN", "ntop(0)", "inet"},
		{"BEGIN", "strftime(\"%H\", nsecs)", "timestamp"},
		{"BEGIN", "sizeof(uint32)", "uint64"},
		{"BEGIN", "strncmp(comm, \"ba\", 2)", "uint64"},
		{"BEGIN", "strcontains(comm, \"ba\")", "bool"},
		{"BEGIN", "(uint16)pid", "uint16"},
		{"BEGIN", "$1", "int64"},
		{"BEGIN", "$2", "string[5]"},
		{"BEGIN", "$3", "int64"},
		{"BEGIN", "$#", "int64"},
		{"BEGIN", "count()", "count"},
		{"BEGIN", "sum(5)", "sum"},
		{"BEGIN", "hist(pid)", "hist"},
		{"BEGIN", "lhist(pid, 0, 100, 10)", "lhist"},
		{"BEGIN", "stats(1)", "stats"},
		{"tracepoint:syscalls:sys_enter_openat", "args.flags", "kernel"},
		{"tracepoint:syscalls:sys_enter_openat", "str(args.filename)", "string[64]"},
		{"tracepoint:syscalls:sys_enter_openat", "args.flags & 1", "kernel"}, // codegen types it from the field
		{"tracepoint:syscalls:sys_enter_openat", "curtask->pid", "kernel"},
		{"uretprobe:/bin/bash:readline", "retval", "uint64"},
		{"uretprobe:/bin/bash:readline", "func", "usym"},
		{"kprobe:vfs_read", "func", "ksym"},
		{"kprobe:vfs_read", "arg2", "uint64"},
	}
	for _, tt := range tests {
		src := tt.probe + " { @v = " + tt.expr + "; }"
		prog := mustCheck(t, src, CheckOptions{Params: []string{"42", "bash"}})
		if got := mapInfo(prog, "@v").Value.String(); got != tt.want {
			t.Errorf("%s: @v = %s: got %s, want %s", tt.probe, tt.expr, got, tt.want)
		}
	}
}

func TestMapTable(t *testing.T) {
	src := `
BEGIN { @start[tid] = nsecs; @names[pid, comm] = count(); @s = "a"; @w = (uint32)1; }
END { @s = "abcdef"; @w = -1; @lat = hist(nsecs - @start[tid]); print(@names); clear(@start); }
`
	prog := mustCheck(t, src, CheckOptions{})
	type row struct{ Name, Key, Value string }
	var got []row
	for _, m := range prog.Maps {
		key := "-"
		if m.Key != nil {
			key = m.Key.String()
		}
		got = append(got, row{m.Name, key, m.Value.String()})
	}
	want := []row{
		{"@lat", "-", "hist"},
		{"@names", "(uint32, string[16])", "count"},
		{"@s", "-", "string[7]"},
		{"@start", "uint32", "uint64"},
		{"@w", "-", "uint64"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("maps (-want +got):\n%s", diff)
	}
}

// A map read before the assignment that types it (in the walk's order) is
// resolved by the next pass.
func TestMapUsedBeforeAssignment(t *testing.T) {
	src := `
END { printf("%s %d\n", @name, @n[1]); }
BEGIN { @name = comm; @n[1] = 5; }
`
	prog := mustCheck(t, src, CheckOptions{})
	if got := mapInfo(prog, "@name").Value.String(); got != "string[16]" {
		t.Errorf("@name: %s", got)
	}
	call := prog.Probes[0].Body.Stmts[0].(*ast.ExprStmt).X.(*ast.Call)
	if got := call.Args[1].Type().String(); got != "string[16]" {
		t.Errorf("type of @name in END: %s", got)
	}
}

func TestScopes(t *testing.T) {
	ok := []string{
		`BEGIN { $x = 1; if ($x) { $x = 2; $y = $x; } printf("%d\n", $x); }`,
		`BEGIN { let $x; if (pid) { $x = 1; } else { $x = 2; } printf("%d\n", $x); }`,
		`BEGIN { @m[1] = 1; for ($kv : @m) { printf("%d %d\n", $kv.0, $kv.1); } }`,
		`BEGIN { for ($i : 0..10) { if ($i == 5) { break; } continue; } }`,
		`BEGIN { $i = 0; while ($i < 10) { $i++; if ($i > 5) { break; } } }`,
		`BEGIN { if (pid) { $x = 1; } if (pid) { $x = "a"; } }`,
	}
	for _, src := range ok {
		mustCheck(t, src, CheckOptions{})
	}
	bad := map[string]string{
		`BEGIN { for ($i : 0..3) { } printf("%d", $i); }`: "Undefined or undeclared variable: $i",
		`BEGIN { while (1) { $x = 1; } @y = $x; }`:        "Undefined or undeclared variable: $x",
		`BEGIN { let $x; @y = $x; }`:                      "Variable used before it was assigned: $x",
		`BEGIN { $x = 1; } END { @y = $x; }`:              "Undefined or undeclared variable: $x",
	}
	for src, want := range bad {
		list := diagnose("t.bt", []byte(src))
		if len(list) != 1 || list[0].Msg != want {
			t.Errorf("%s: got %v, want %q", src, list, want)
		}
	}
}

// Every expression of a checked program has a type.
func TestEveryExprTyped(t *testing.T) {
	for _, file := range corpusFiles(t) {
		src, _ := os.ReadFile(file)
		prog, err := Parse(file, src)
		if err != nil {
			continue
		}
		if Check(prog, CheckOptions{}) != nil {
			continue
		}
		var b strings.Builder
		if err := ast.Dump(&b, prog, true); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), ":: ?") {
			t.Errorf("%s: untyped expressions:\n%s", file, b.String())
		}
	}
}

func corpusFiles(t testing.TB) []string {
	files, err := filepath.Glob("../testdata/corpus/*.bt")
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestCorpusChecks runs every corpus script through Parse and Check.
func TestCorpusChecks(t *testing.T) {
	for _, file := range corpusFiles(t) {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		list := diagnose(filepath.Base(file), src)
		if len(list) > 0 {
			t.Errorf("%s:\n%s", file, list.Render(src))
		}
	}
}
