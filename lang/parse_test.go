package lang

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/lang/ast"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/parse")

// TestParseGolden parses every `NAME.bt` of every archive under
// testdata/parse and compares its dump with the archive's `NAME.ast`.
func TestParseGolden(t *testing.T) {
	archives, err := filepath.Glob("../testdata/parse/*.txtar")
	if err != nil || len(archives) == 0 {
		t.Fatalf("no golden archives: %v", err)
	}
	for _, path := range archives {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ar, err := readArchive(path)
			if err != nil {
				t.Fatal(err)
			}
			changed := false
			for _, f := range ar.files {
				if !strings.HasSuffix(f.name, ".bt") {
					continue
				}
				golden := strings.TrimSuffix(f.name, ".bt") + ".ast"
				got := dumpScript(t, f.name, f.data)
				if *update {
					changed = ar.set(golden, got) || changed
					continue
				}
				if want := ar.get(golden); want == nil {
					t.Errorf("%s: no golden %s (run with -update)", f.name, golden)
				} else if diff := cmp.Diff(string(want), got); diff != "" {
					t.Errorf("%s: dump differs (-want +got):\n%s", f.name, diff)
				}
			}
			if changed {
				if err := os.WriteFile(path, ar.format(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func dumpScript(t *testing.T, name string, src []byte) string {
	t.Helper()
	prog, err := Parse(name, src)
	if err != nil {
		t.Fatalf("%s: %s", name, err.(ast.ErrorList).Render(src))
	}
	checkSpans(t, name, src, prog)
	var b bytes.Buffer
	if err := ast.Dump(&b, prog, false); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// checkSpans walks every node of prog and checks that its span is a valid,
// non-empty range of src that lies inside its parent's.
func checkSpans(t *testing.T, name string, src []byte, prog *ast.Program) {
	t.Helper()
	var walk func(v reflect.Value, parent ast.Node, path string)
	walk = func(v reflect.Value, parent ast.Node, path string) {
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if v.IsNil() {
				return
			}
			if n, ok := v.Interface().(ast.Node); ok && v.Kind() == reflect.Pointer {
				if _, isType := n.(*ast.Program); !isType {
					checkSpan(t, name, src, n, parent, path)
				}
				parent = n
			}
			walk(v.Elem(), parent, path)
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				f := v.Type().Field(i)
				if !f.IsExported() || f.Name == "Span" || f.Name == "Maps" {
					continue
				}
				walk(v.Field(i), parent, path+"."+f.Name)
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), parent, path)
			}
		}
	}
	walk(reflect.ValueOf(prog), prog, "Program")
}

func checkSpan(t *testing.T, name string, src []byte, n, parent ast.Node, path string) {
	t.Helper()
	p, e := n.Pos(), n.End()
	switch {
	case !p.IsValid() || !e.IsValid():
		t.Errorf("%s: %s (%T): invalid span %v-%v", name, path, n, p, e)
	case p.Offset >= e.Offset || e.Offset > len(src):
		t.Errorf("%s: %s (%T): empty or out of range span %d-%d", name, path, n, p.Offset, e.Offset)
	case p.Offset < parent.Pos().Offset || e.Offset > parent.End().Offset:
		t.Errorf("%s: %s (%T) %q lies outside its parent %T %q", name, path, n,
			src[p.Offset:e.Offset], parent, src[parent.Pos().Offset:parent.End().Offset])
	}
}

// TestSpanText checks the exact source range of one node of each kind.
func TestSpanText(t *testing.T) {
	src := `kprobe:vfs_read, tracepoint:syscalls:sys_enter_* /pid > 10/ {
	@bytes[comm, pid] = sum(arg2);
	$t = (1, "x");
	$p = (struct task_struct *)curtask;
	if ($p->pid == 1) { print($t.0) } else { $x++ }
	@a = 1 + 2 * 3;
}`
	prog, err := Parse("s.bt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	text := func(n ast.Node) string { return src[n.Pos().Offset:n.End().Offset] }
	pr := prog.Probes[0]
	body := pr.Body.Stmts
	ifs := body[3].(*ast.IfStmt)
	cases := []struct {
		node ast.Node
		want string
	}{
		{pr.Specs[0], "kprobe:vfs_read"},
		{pr.Specs[1], "tracepoint:syscalls:sys_enter_*"},
		{pr.Pred, "pid > 10"},
		{body[0], "@bytes[comm, pid] = sum(arg2)"},
		{body[0].(*ast.AssignStmt).Target, "@bytes[comm, pid]"},
		{body[0].(*ast.AssignStmt).Value, "sum(arg2)"},
		{body[1].(*ast.AssignStmt).Value, `(1, "x")`},
		{body[2].(*ast.AssignStmt).Value, "(struct task_struct *)curtask"},
		{body[2].(*ast.AssignStmt).Value.(*ast.Cast).To, "struct task_struct *"},
		{ifs, `if ($p->pid == 1) { print($t.0) } else { $x++ }`},
		{ifs.Cond, "$p->pid == 1"},
		{ifs.Cond.(*ast.Binary).X, "$p->pid"},
		{ifs.Then, `{ print($t.0) }`},
		{ifs.Then.Stmts[0].(*ast.ExprStmt).X.(*ast.Call).Args[0], "$t.0"},
		{ifs.Else.(*ast.Block).Stmts[0], "$x++"},
		{body[4].(*ast.AssignStmt).Value, "1 + 2 * 3"},
		{body[4].(*ast.AssignStmt).Value.(*ast.Binary).Y, "2 * 3"},
		{pr.Body, src[strings.Index(src, "{"):]},
		{pr, src},
	}
	for _, c := range cases {
		if got := text(c.node); got != c.want {
			t.Errorf("%T: span text %q, want %q", c.node, got, c.want)
		}
	}
	call := ifs.Then.Stmts[0].(*ast.ExprStmt).X.(*ast.Call)
	if got := src[call.Pos().Offset:call.NameEnd.Offset]; got != "print" {
		t.Errorf("Call.NameEnd covers %q, want print", got)
	}
	if p := pr.Specs[1].Pos(); p.Line != 1 || p.Col != 18 {
		t.Errorf("second spec at %v, want 1:18", p)
	}
	if p := ifs.Pos(); p.Line != 5 || p.Col != 2 {
		t.Errorf("if at %v, want 5:2", p)
	}
}
