package ast_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/lang"
	"github.com/gbt-project/gbt/lang/ast"
)

// TestFormat checks the canonical form of parsed scripts.
func TestFormat(t *testing.T) {
	cases := []struct{ src, want string }{
		{`BEGIN{printf("hi\n");exit()}`, "BEGIN {\n    printf(\"hi\\n\");\n    exit();\n}\n"},
		{`k:f,k:g/pid>1/{@[comm]=count()}`, "k:f,\nk:g /pid > 1/ {\n    @[comm] = count();\n}\n"},
		{`BEGIN{@=(1+2)*3;@=1+2*3;@=(1-2)-3;@=1-(2-3)}`,
			"BEGIN {\n    @ = (1 + 2) * 3;\n    @ = 1 + 2 * 3;\n    @ = 1 - 2 - 3;\n    @ = 1 - (2 - 3);\n}\n"},
		{`BEGIN{@=(a?b:c)?d:e;@=a?b:c?d:e;@=(a?b:c)+1}`,
			"BEGIN {\n    @ = (a ? b : c) ? d : e;\n    @ = a ? b : c ? d : e;\n    @ = (a ? b : c) + 1;\n}\n"},
		{`BEGIN{$x=- -1;$y=-(-1);$z=- --$a;$w=&(&x)}`,
			"BEGIN {\n    $x = - -1;\n    $y = - -1;\n    $z = - --$a;\n    $w = & &x;\n}\n"},
		{`BEGIN{$p=((struct x*)arg0)->f;$q=(uint8)$a.b;$r=(-$a).0}`,
			"BEGIN {\n    $p = ((struct x *)arg0)->f;\n    $q = (uint8)$a.b;\n    $r = (-$a).0;\n}\n"},
		{`BEGIN{if(1){}else if(2){@=1}else{}}`,
			"BEGIN {\n    if (1) {} else if (2) {\n        @ = 1;\n    } else {}\n}\n"},
		{"config={a=1}\nmacro m($x){$x+1}\nBEGIN{}",
			"config = {\n    a = 1;\n}\n\nmacro m($x) {\n    $x + 1\n}\n\nBEGIN {}\n"},
		{`BEGIN{let $a:int8[2];for($i:0..2){}for($kv:@m){}while(1){break}unroll(2){continue}return}`,
			"BEGIN {\n    let $a: int8[2];\n    for ($i : 0..2) {}\n    for ($kv : @m) {}\n    while (1) {\n        break;\n    }\n    unroll (2) {\n        continue;\n    }\n    return;\n}\n"},
		{"#!/bin/bpftrace\n#include <a.h>\nBEGIN{@=1s+0x10+$1+$#}",
			"#!/bin/bpftrace\n#include <a.h>\n\nBEGIN {\n    @ = 1s + 0x10 + $1 + $#;\n}\n"},
	}
	for _, c := range cases {
		prog, err := lang.Parse("f.bt", []byte(c.src))
		if err != nil {
			t.Fatalf("%q: %v", c.src, err)
		}
		if diff := cmp.Diff(c.want, ast.Format(prog)); diff != "" {
			t.Errorf("Format(%q) (-want +got):\n%s", c.src, diff)
		}
	}
}

func TestQuote(t *testing.T) {
	cases := map[string]string{
		"":             `""`,
		"a\"b\\c":      `"a\"b\\c"`,
		"\n\t\r":       `"\n\t\r"`,
		"\x00\x01\x7f": `"\x00\x01\x7f"`,
		"café":         `"café"`,
	}
	for in, want := range cases {
		if got := ast.Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestFormatBuiltTree formats trees no parse produces directly, where
// parentheses must be added.
func TestFormatBuiltTree(t *testing.T) {
	one := &ast.IntLit{Value: 1, Raw: "1"}
	two := &ast.IntLit{Value: 2}
	tern := &ast.Ternary{Cond: one, Then: one, Else: two}
	cases := []struct {
		e    ast.Expr
		want string
	}{
		{&ast.Binary{Op: "*", X: &ast.Binary{Op: "+", X: one, Y: two}, Y: tern}, "(1 + 2) * (1 ? 1 : 2)"},
		{&ast.Unary{Op: "!", X: &ast.Binary{Op: "==", X: one, Y: two}}, "!(1 == 2)"},
		{&ast.Field{X: &ast.Binary{Op: "+", X: one, Y: two}, Name: "f"}, "(1 + 2).f"},
		{&ast.IncDec{Op: "++", Post: true, X: &ast.Unary{Op: "*", X: one}}, "(*1)++"},
		{&ast.Cast{To: &ast.TypeExpr{Name: "char", Array: 8}, X: tern}, "(char[8])(1 ? 1 : 2)"},
		{&ast.Ternary{Cond: tern, Then: tern, Else: tern}, "(1 ? 1 : 2) ? 1 ? 1 : 2 : 1 ? 1 : 2"},
		{&ast.Index{X: &ast.Var{Name: "$a"}, I: tern}, "$a[1 ? 1 : 2]"},
	}
	for _, c := range cases {
		prog := &ast.Program{Probes: []*ast.Probe{{
			Specs: []*ast.ProbeSpec{{Raw: "BEGIN"}},
			Body:  &ast.Block{Stmts: []ast.Stmt{&ast.ExprStmt{X: c.e}}},
		}}}
		want := "BEGIN {\n    " + c.want + ";\n}\n"
		if got := ast.Format(prog); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
