package lang

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/lang/ast"
)

// TestParseErrors checks the message and exact position of syntax errors:
// each want line is a diagnostic as ast.Diagnostic.Error renders it.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string
	}{
		{"unterminated string", `BEGIN { printf("abc); }`,
			[]string{"e.bt:1:16-24: ERROR: unterminated string"}},
		{"unterminated comment", "BEGIN { } /* never closed",
			[]string{"e.bt:1:11-13: ERROR: unterminated comment"}},
		{"unmatched brace", "BEGIN {\n  if (1) {\n    @a = 1;\n}\n",
			[]string{"e.bt:1:7-8: ERROR: unmatched '{'"}},
		{"extra closing brace", "BEGIN { @a = 1; } }",
			[]string{"e.bt:1:19-20: ERROR: unmatched '}'"}},
		{"missing operand", `BEGIN { @ = 1 +; }`,
			[]string{"e.bt:1:16-17: ERROR: syntax error, unexpected ;"}},
		{"missing semicolon", "BEGIN { @a = 1\n @b = 2 }",
			[]string{"e.bt:2:2-4: ERROR: syntax error, unexpected map, expecting ;"}},
		{"unclosed subscript", `BEGIN { @x[1 = 2; }`,
			[]string{"e.bt:1:14-15: ERROR: syntax error, unexpected =, expecting ] or \",\""}},
		{"missing comma", `BEGIN { printf("%d %d", 1 2) }`,
			[]string{"e.bt:1:27-28: ERROR: syntax error, unexpected integer, expecting ) or \",\""}},
		{"if without parentheses", `BEGIN { if $x { } }`,
			[]string{"e.bt:1:12-14: ERROR: syntax error, unexpected variable, expecting ("}},
		{"missing body", "BEGIN",
			[]string{"e.bt:1:6-6: ERROR: syntax error, unexpected end of file, expecting {"}},
		{"unclosed predicate", `kprobe:f /pid == 1 { }`,
			[]string{"e.bt:1:20-21: ERROR: syntax error, unexpected {, expecting /"}},
		{"let without variable", `BEGIN { let x = 1; }`,
			[]string{"e.bt:1:13-14: ERROR: syntax error, unexpected identifier, expecting variable"}},
		{"for with in", `BEGIN { for ($x in @m) { } }`,
			[]string{"e.bt:1:17-19: ERROR: syntax error, unexpected identifier, expecting :"}},
		{"for over a keyed map", `BEGIN { for ($x : @m[1]) { } }`,
			[]string{"e.bt:1:19-24: ERROR: a for loop iterates over a map (for ($kv : @m)) or a range (for ($i : lo..hi))"}},
		{"ternary without else", `BEGIN { @ = 1 ? 2; }`,
			[]string{"e.bt:1:18-19: ERROR: syntax error, unexpected ;, expecting :"}},
		{"field name missing", `BEGIN { $x.; }`,
			[]string{"e.bt:1:12-13: ERROR: syntax error, unexpected ;, expecting identifier"}},
		{"assign to literal", `BEGIN { 1 = 2; }`,
			[]string{"e.bt:1:9-10: ERROR: cannot assign to this expression"}},
		{"bad integer", `BEGIN { @ = 12abc; }`,
			[]string{"e.bt:1:13-18: ERROR: invalid integer literal '12abc'"}},
		{"bad octal", `BEGIN { @ = 09; }`,
			[]string{"e.bt:1:13-15: ERROR: invalid integer literal '09'"}},
		{"integer too large", `BEGIN { @ = 18446744073709551616; }`,
			[]string{"e.bt:1:13-33: ERROR: integer literal '18446744073709551616' is too large"}},
		{"duration too large", `BEGIN { @ = 100000000000d; }`,
			[]string{"e.bt:1:13-26: ERROR: integer literal '100000000000d' is too large"}},
		{"bad escape", `BEGIN { printf("a\qb"); }`,
			[]string{`e.bt:1:18-20: ERROR: invalid escape sequence '\q'`}},
		{"bad hex escape", `BEGIN { printf("\xg"); }`,
			[]string{`e.bt:1:17-19: ERROR: \x needs hexadecimal digits`}},
		{"invalid character", "BEGIN { @ = 1 ` 2; }",
			[]string{"e.bt:1:15-16: ERROR: invalid character '`'"}},
		{"single quotes", `BEGIN { $x = 'a'; }`,
			[]string{"e.bt:1:14-15: ERROR: invalid character '\\''", "e.bt:1:16-17: ERROR: invalid character '\\''"}},
		{"dollar alone", `BEGIN { $ = 1; }`,
			[]string{"e.bt:1:9-10: ERROR: expected a variable name after '$'"}},
		{"bad array length", `BEGIN { $x = (int8[0])arg0; }`,
			[]string{"e.bt:1:15-22: ERROR: an array type needs a length from 1 to 1048576"}},
		{"config value", `config = { x = 1 + 2 } BEGIN {}`,
			[]string{"e.bt:1:16-21: ERROR: a config value must be an integer, a string, a boolean or a name"}},
		{"duplicate config", "config = { a = 1 }\nconfig = { b = 2 }\nBEGIN {}",
			[]string{"e.bt:2:1-7: ERROR: duplicate config block"}},
		{"several probes", "BEGIN { @a = ; }\nEND { @b = 1 +; }\ni:s:1 { exit() }",
			[]string{
				"e.bt:1:14-15: ERROR: syntax error, unexpected ;",
				"e.bt:2:15-16: ERROR: syntax error, unexpected ;",
			}},
		{"stray token at top level", "BEGIN { } 42 { }",
			[]string{"e.bt:1:11-13: ERROR: syntax error, unexpected integer"}},
		{"deep nesting", "BEGIN { @ = " + strings.Repeat("(", 600) + "1" + strings.Repeat(")", 600) + "; }",
			[]string{"e.bt:1:512-513: ERROR: nesting deeper than 500 levels"}},
		{"deep braces", "BEGIN " + strings.Repeat("{", 600) + strings.Repeat("}", 600),
			[]string{"e.bt:1:507-508: ERROR: nesting deeper than 500 levels"}},
		{"C definition", "struct x { int a; }; BEGIN { }",
			nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prog, err := Parse("e.bt", []byte(c.src))
			if prog == nil {
				t.Fatal("no partial program")
			}
			var got []string
			if err != nil {
				list, ok := err.(ast.ErrorList)
				if !ok {
					t.Fatalf("error is %T, not ast.ErrorList", err)
				}
				for _, d := range list {
					got = append(got, d.Error())
					// Rendering must draw the caret line under the source.
					if r := d.Render([]byte(c.src)); !strings.Contains(r, d.Msg) {
						t.Errorf("render lacks the message: %q", r)
					}
				}
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("%q: diagnostics differ (-want +got):\n%s", c.src, diff)
			}
		})
	}
}

// TestPartialProgram checks that the probes that parse are kept when
// another has an error.
func TestPartialProgram(t *testing.T) {
	src := "BEGIN { @a = 1; }\nEND { @b = ; }\ni:s:1 { exit(); }"
	prog, err := Parse("p.bt", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	var specs []string
	for _, p := range prog.Probes {
		specs = append(specs, p.Specs[0].Raw)
	}
	if diff := cmp.Diff([]string{"BEGIN", "i:s:1"}, specs); diff != "" {
		t.Errorf("partial program probes (-want +got):\n%s", diff)
	}
}
