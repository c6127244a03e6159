package codegen

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/stdlib"
)

// Every stdlib builtin has a row in the emitter table, and the table has
// no row the catalogue does not know.
func TestEveryBuiltinHasAnEmitter(t *testing.T) {
	known := map[string]bool{}
	for _, e := range stdlib.Builtins() {
		known[e.Name] = true
		if emitters[e.Name] == nil {
			t.Errorf("stdlib builtin %s (%s) has no emitter row", e.Name, e.Kind)
		}
	}
	for name := range emitters {
		if !known[name] {
			t.Errorf("emitter %s has no stdlib entry", name)
		}
	}
}

// A builtin without an emitter is refused with a positioned error naming
// it, never compiled into a wrong program.
func TestUnimplementedBuiltins(t *testing.T) {
	tests := []struct{ src, name string }{
		{`BEGIN { $a = cgroupid("/sys/fs/cgroup") + 1; }`, "cgroupid"},
		{`BEGIN { @ = macaddr(1); }`, "macaddr"},
	}
	for _, tc := range tests {
		list := refusal(t, tc.src)
		if list == nil {
			continue
		}
		want := "builtin " + tc.name + " is not implemented yet"
		if list[0].Msg != want || !list[0].Pos.IsValid() {
			t.Errorf("%s: got %v, want %q at a position", tc.src, list, want)
		}
	}
}

// FuzzCompile: parsing, checking and compiling any script never panics;
// a refusal is a positioned ast.ErrorList.
func FuzzCompile(f *testing.F) {
	for _, dir := range []string{"../testdata/corpus/*.bt"} {
		files, _ := filepath.Glob(dir)
		for _, file := range files {
			if src, err := os.ReadFile(file); err == nil {
				f.Add(string(src))
			}
		}
	}
	goldens, _ := filepath.Glob("../testdata/codegen/*.txtar")
	for _, file := range goldens {
		data, _ := os.ReadFile(file)
		for _, tf := range parseTxtar(data) {
			if tf.name == "script.bt" {
				f.Add(tf.data)
			}
		}
	}
	f.Add(`BEGIN { $a = 1; $b = $a ? (2, "x") : (3, "y"); @m[$b.1, $a] = sum($b.0); }`)
	f.Fuzz(func(t *testing.T, src string) {
		prog, err := parseCheck(src, "1", "x")
		if err != nil {
			return
		}
		obj, err := Compile(prog, Options{Kernel: testKernel, Params: []string{"1", "x"}})
		if err != nil {
			var list ast.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error without positions: %v", err)
			}
			for _, d := range list {
				if !d.Pos.IsValid() {
					t.Fatalf("diagnostic without a position: %v", d)
				}
			}
			return
		}
		for _, p := range obj.Programs {
			last := p.Insns[len(p.Insns)-1]
			if last.OpCode.JumpOp() != asm.Exit {
				t.Fatalf("program %s does not end with exit:\n%s", p.Name, obj.Listing())
			}
		}
	})
}

func TestConstants(t *testing.T) {
	prog, err := parseCheck("#define A (1024 * 1024)\n#define B A + 3\nenum e { X, Y = 5, Z };\nBEGIN { @ = A + B + X + Y + Z; }")
	if err != nil {
		t.Fatal(err)
	}
	got := constants(prog)
	want := map[string]int64{"A": 1 << 20, "B": 1<<20 + 3, "X": 0, "Y": 5, "Z": 6}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
	if _, err := Compile(prog, Options{}); err != nil {
		t.Error(err)
	}
}

// Tracepoint integer fields are typed from their C declaration, as
// bpftrace does, with its widening of 8-byte int-like fields.
func TestFieldIntType(t *testing.T) {
	for _, tc := range []struct {
		ctype  string
		size   int
		signed bool // the format's flag
		want   string
	}{
		{"int", 8, false, "int64"},           // syscall argument: signed whatever the flag says
		{"unsigned int", 8, false, "uint64"}, // bpftrace widens it
		{"pid_t", 8, false, "uint64"},        // ... and pid_t, as bpftrace 0.17 does
		{"const int", 8, false, "int32"},     // not widened: the low 4 bytes, signed
		{"umode_t", 8, false, "uint16"},      // its own width
		{"long", 8, true, "int64"},           //
		{"size_t", 8, false, "uint64"},       //
		{"const enum landlock_rule_type", 8, false, "uint32"},
		{"pid_t", 4, true, "int32"},           // sched tracepoints
		{"unsigned long", 4, false, "uint32"}, // wider than its slot: the slot wins
		{"gfp_t", 4, false, "uint32"},         // unknown: the format's size and flag
		{"some_signed_t", 2, true, "int16"},   //
	} {
		if got := fieldIntType(tc.ctype, tc.size, tc.signed).String(); got != tc.want {
			t.Errorf("fieldIntType(%q, %d, %v) = %s, want %s", tc.ctype, tc.size, tc.signed, got, tc.want)
		}
	}
}

// Divisions and modulos that may divide by zero report it at run time;
// those by a non-zero literal cannot.
func TestDivideByZeroSites(t *testing.T) {
	obj := mustCompile(t, `BEGIN { $z = 0; @a = 10 / $z; @b = 10 % 3; @c = 7 % 0; @d = 8 / -2; }`)
	var got []string
	for _, e := range obj.RuntimeErrors {
		got = append(got, e.Pos.String())
		if e.Msg != DivideByZeroMsg || !strings.HasPrefix(e.Text, "test.bt:"+e.Pos.String()) || !strings.Contains(e.Text, "WARNING: ") {
			t.Errorf("site at %s: %+v", e.Pos, e)
		}
	}
	if want := []string{"1:22", "1:49"}; !slices.Equal(got, want) {
		t.Errorf("runtime error sites at %v, want %v", got, want)
	}
}
