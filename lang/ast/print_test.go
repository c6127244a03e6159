package ast_test

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/lang"
	"github.com/gbt-project/gbt/lang/ast"
)

// TestDumpTypes checks the `-d types` form: every expression line ends in
// its type, or `?` when the checker left it unset.
func TestDumpTypes(t *testing.T) {
	prog, err := lang.Parse("d.bt", []byte(`kprobe:f /pid/ { @[comm] = count(); $x = (1, "a"); }`))
	if err != nil {
		t.Fatal(err)
	}
	body := prog.Probes[0].Body.Stmts
	prog.Probes[0].Pred.SetType(ast.Int(4, false))
	assign := body[0].(*ast.AssignStmt)
	assign.Target.SetType(ast.Agg(ast.AggCount, false))
	assign.Target.(*ast.MapExpr).Keys[0].SetType(ast.String(16))
	assign.Value.SetType(ast.Agg(ast.AggCount, false))
	tuple := body[1].(*ast.AssignStmt).Value
	tuple.SetType(ast.TupleOf(ast.Int(8, true), ast.String(2)))

	var b bytes.Buffer
	if err := ast.Dump(&b, prog, true); err != nil {
		t.Fatal(err)
	}
	want := `Program
  Probe 0
    Spec kprobe ["f"] raw="kprobe:f"
    pred: Ident pid :: uint32
    Block
      AssignStmt =
        MapExpr @ :: count
          Ident comm :: string[16]
        Call count :: count
      AssignStmt =
        Var $x :: ?
        Tuple :: (int64, string[2])
          IntLit 1 :: ?
          StrLit "a" :: ?
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("dump (-want +got):\n%s", diff)
	}
}

func TestTypeString(t *testing.T) {
	cases := []struct {
		t    *ast.TypeExpr
		want string
	}{
		{&ast.TypeExpr{Name: "uint32"}, "uint32"},
		{&ast.TypeExpr{Name: "struct task_struct", Ptr: 1}, "struct task_struct *"},
		{&ast.TypeExpr{Name: "char", Ptr: 2}, "char **"},
		{&ast.TypeExpr{Name: "int8", Array: 4}, "int8[4]"},
		{nil, "?"},
	}
	for _, c := range cases {
		if got := ast.TypeString(c.t); got != c.want {
			t.Errorf("TypeString = %q, want %q", got, c.want)
		}
	}
}
