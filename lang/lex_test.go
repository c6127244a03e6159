package lang

import (
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/google/go-cmp/cmp"
)

// tokenAt is a string token covering all of raw, at offset 0.
func tokenAt(raw string) lexer.Token {
	return lexer.Token{Type: tString, Value: raw, Pos: lexer.Position{Line: 1, Column: 1}}
}

// TestScanner checks the token stream and item split of the context
// sensitive top level: specs with '/' and '*', predicates, preamble.
func TestScanner(t *testing.T) {
	cases := []struct {
		src   string
		want  []string // "Type:value"
		items int
	}{
		{`uprobe:/bin/bash:readline /pid/ { }`,
			[]string{"Spec:uprobe:/bin/bash:readline", "PredOpen:/", "Ident:pid", "PredClose:/", "Punct:{", "Punct:}"}, 1},
		{`kprobe:vfs_*/arg0 / 2/{}`,
			[]string{"Spec:kprobe:vfs_*", "PredOpen:/", "Ident:arg0", "Punct:/", "Int:2", "PredClose:/", "Punct:{", "Punct:}"}, 1},
		{`uprobe:./bin/a.out:main/1/{}`,
			[]string{"Spec:uprobe:./bin/a.out:main", "PredOpen:/", "Int:1", "PredClose:/", "Punct:{", "Punct:}"}, 1},
		{`uprobe:"/a b":f,BEGIN{}`,
			[]string{`Spec:uprobe:"/a b":f`, "Punct:,", "Spec:BEGIN", "Punct:{", "Punct:}"}, 1},
		{"#include <x.h>\nstruct s { int a; };\nBEGIN { } END { }",
			[]string{"Preamble:#include <x.h>", "CDef:struct s { int a; };", "Spec:BEGIN", "Punct:{", "Punct:}", "Spec:END", "Punct:{", "Punct:}"}, 4},
		{"config = { a = 1 } macro m($x) { $x }",
			[]string{"Ident:config", "Punct:=", "Punct:{", "Ident:a", "Punct:=", "Int:1", "Punct:}",
				"Ident:macro", "Ident:m", "Punct:(", "Var:$x", "Punct:)", "Punct:{", "Var:$x", "Punct:}"}, 2},
		{`BEGIN { $1 + $# + @ + @m >>= "}" /* } */ // }` + "\n}",
			[]string{"Spec:BEGIN", "Punct:{", "Positional:$1", "Punct:+", "Positional:$#", "Punct:+", "Map:@", "Punct:+",
				"Map:@m", "Punct:>>=", `String:"}"`, "Punct:}"}, 1},
		{"BEGIN { for ($i : 1..2) { $t.0 } }",
			[]string{"Spec:BEGIN", "Punct:{", "Keyword:for", "Punct:(", "Var:$i", "Punct::", "Int:1", "Punct:..", "Int:2", "Punct:)",
				"Punct:{", "Var:$t", "Punct:.", "Int:0", "Punct:}", "Punct:}"}, 1},
	}
	names := map[lexer.TokenType]string{}
	for name, tt := range tokenSymbols {
		names[tt] = name
	}
	for _, c := range cases {
		s := newScanner("s", []byte(c.src))
		s.run()
		if len(s.errs) > 0 {
			t.Errorf("%q: errors %v", c.src, s.errs)
		}
		var got []string
		for _, tok := range s.toks {
			got = append(got, names[tok.Type]+":"+tok.Value)
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%q tokens (-want +got):\n%s", c.src, diff)
		}
		if len(s.items) != c.items {
			t.Errorf("%q: %d items, want %d", c.src, len(s.items), c.items)
		}
	}
}

// TestScriptLexer checks the lexer.Definition given to participle.
func TestScriptLexer(t *testing.T) {
	def := scriptLexer{symbols: tokenSymbols}
	lx, err := def.Lex("d.bt", strings.NewReader("BEGIN { @ = 1 }"))
	if err != nil {
		t.Fatal(err)
	}
	toks, err := lexer.ConsumeAll(lx)
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) != 7 || toks[6].Type != lexer.EOF || toks[2].Pos.Column != 9 {
		t.Errorf("tokens %v", toks)
	}
	if _, err := def.Lex("d.bt", strings.NewReader(`BEGIN { "x }`)); err == nil {
		t.Error("no error for an unterminated string")
	}
}
