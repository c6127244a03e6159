package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args []string
		want options
	}{
		{[]string{"-e", "BEGIN{}", "1", "two"},
			options{program: "BEGIN{}", params: []string{"1", "two"}}},
		{[]string{"x.bt", "1", "two"},
			options{file: "x.bt", params: []string{"1", "two"}}},
		// Options after the script file and its parameters, as bpftrace
		// (GNU getopt) takes them.
		{[]string{"x.bt", "arg", "-q", "-c", "cmd a b"},
			options{file: "x.bt", params: []string{"arg"}, quiet: true, command: "cmd a b"}},
		{[]string{"-e", "BEGIN{}", "a", "-o", "out.txt", "b"},
			options{program: "BEGIN{}", params: []string{"a", "b"}, output: "out.txt"}},
		// "--" ends the options; a negative number is a parameter.
		{[]string{"-q", "--", "x.bt", "-v", "--"},
			options{file: "x.bt", params: []string{"-v", "--"}, quiet: true}},
		{[]string{"-e", "BEGIN{}", "-5", "-1e3"},
			options{program: "BEGIN{}", params: []string{"-5", "-1e3"}}},
		{[]string{"-"}, options{file: "-"}},
		{[]string{"-d", "ast", "-d=types", "-f=json", "--dry-run", "x.bt"},
			options{file: "x.bt", debug: []string{"ast", "types"}, format: "json", dryRun: true}},
		{[]string{"-e", "BEGIN{}", "--unsafe", "repl"},
			options{program: "BEGIN{}", params: []string{"repl"}, unsafe: true}},
		{[]string{"--unsafe", "repl", "1"},
			options{file: "repl", params: []string{"1"}, unsafe: true}},
	}
	for _, tt := range tests {
		got, err := parseArgs(tt.args)
		if err != nil {
			t.Errorf("parseArgs(%q): %v", tt.args, err)
			continue
		}
		if tt.want.format == "" {
			tt.want.format = "text"
		}
		if diff := cmp.Diff(&tt.want, got, cmp.AllowUnexported(options{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("parseArgs(%q) (-want +got):\n%s", tt.args, diff)
		}
	}
}

func TestParseArgsErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"x.bt", "--bogus"}, "unknown option --bogus (see gbt -h)"},
		{[]string{"-e"}, "option -e needs an argument"},
		{[]string{"x.bt", "-f", "yaml"}, `unknown output format "yaml": use text or json`},
		{[]string{"-d", "llvm", "x.bt"}, `unknown debug stage "llvm": use ast, types or codegen`},
	}
	for _, tt := range tests {
		_, err := parseArgs(tt.args)
		if err == nil || err.Error() != tt.want {
			t.Errorf("parseArgs(%q) = %v, want error %q", tt.args, err, tt.want)
		}
	}
}
