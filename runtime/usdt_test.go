package runtime

import (
	"debug/elf"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gbt-project/gbt/runtime/usdttest"
)

func TestParseUSDTArgs(t *testing.T) {
	di := USDTReg{Name: "di", Offset: 112}
	bp := USDTReg{Name: "bp", Offset: 32}
	ip := USDTReg{Name: "ip", Offset: 128}
	tests := []struct {
		spec    string
		machine elf.Machine
		want    []USDTArg
		err     string
	}{
		{"", elf.EM_X86_64, nil, ""},
		{"-4@%edi 8@%rdi 1@%dil 2@%di", elf.EM_X86_64, []USDTArg{
			{Kind: USDTArgReg, Size: 4, Signed: true, Reg: di},
			{Kind: USDTArgReg, Size: 8, Reg: di},
			{Kind: USDTArgReg, Size: 1, Reg: di},
			{Kind: USDTArgReg, Size: 2, Reg: di},
		}, ""},
		{"1@%ah -1@%al 8@%r8 -4@%r15d 8@%rsp", elf.EM_X86_64, []USDTArg{
			{Kind: USDTArgReg, Size: 1, Reg: USDTReg{Name: "ax", Offset: 80, Shift: 8}},
			{Kind: USDTArgReg, Size: 1, Signed: true, Reg: USDTReg{Name: "ax", Offset: 80}},
			{Kind: USDTArgReg, Size: 8, Reg: USDTReg{Name: "r8", Offset: 72}},
			{Kind: USDTArgReg, Size: 4, Signed: true, Reg: USDTReg{Name: "r15", Offset: 0}},
			{Kind: USDTArgReg, Size: 8, Reg: USDTReg{Name: "sp", Offset: 152}},
		}, ""},
		{"8@$5 -4@$-7 8@$0x10", elf.EM_X86_64, []USDTArg{
			{Kind: USDTArgConst, Size: 8, Value: 5},
			{Kind: USDTArgConst, Size: 4, Signed: true, Value: -7},
			{Kind: USDTArgConst, Size: 8, Value: 16},
		}, ""},
		{"-8@-16(%rbp) 4@(%rdi) 8@8(%rbp,%rdi,8) 2@(%rbp,%rdi)", elf.EM_X86_64, []USDTArg{
			{Kind: USDTArgMem, Size: 8, Signed: true, Reg: bp, Offset: -16},
			{Kind: USDTArgMem, Size: 4, Reg: di},
			{Kind: USDTArgMem, Size: 8, Reg: bp, Offset: 8, Index: di, Scale: 8},
			{Kind: USDTArgMem, Size: 2, Reg: bp, Index: di, Scale: 1},
		}, ""},
		{"-4@counter(%rip) 8@table+16(%rip) 4@x-8(%rip)", elf.EM_X86_64, []USDTArg{
			{Kind: USDTArgGlobal, Size: 4, Signed: true, Reg: ip, Symbol: "counter"},
			{Kind: USDTArgGlobal, Size: 8, Reg: ip, Symbol: "table", Offset: 16},
			{Kind: USDTArgGlobal, Size: 4, Reg: ip, Symbol: "x", Offset: -8},
		}, ""},
		{"%rdi", elf.EM_X86_64, []USDTArg{{Kind: USDTArgReg, Size: 8, Reg: di}}, ""},
		{"-4@x0 8@[sp, 16] 4@[x29] 8@42 -8@[x1,#-8]", elf.EM_AARCH64, []USDTArg{
			{Kind: USDTArgReg, Size: 4, Signed: true, Reg: USDTReg{Name: "x0"}},
			{Kind: USDTArgMem, Size: 8, Reg: USDTReg{Name: "sp", Offset: 248}, Offset: 16},
			{Kind: USDTArgMem, Size: 4, Reg: USDTReg{Name: "x29", Offset: 232}},
			{Kind: USDTArgConst, Size: 8, Value: 42},
			{Kind: USDTArgMem, Size: 8, Signed: true, Reg: USDTReg{Name: "x1", Offset: 8}, Offset: -8},
		}, ""},
		{"3@%edi", elf.EM_X86_64, nil, "size 3"},
		{"x@%edi", elf.EM_X86_64, nil, "bad size"},
		{"4@%xyz", elf.EM_X86_64, nil, "unknown register"},
		{"4@$abc", elf.EM_X86_64, nil, "bad constant"},
		{"4@8(%rbp,%rdi,3)", elf.EM_X86_64, nil, "bad scale"},
		{"4@foo", elf.EM_X86_64, nil, "unknown operand"},
		{"4@(%rip)", elf.EM_X86_64, nil, "unsupported %rip"},
		{"4@[q1]", elf.EM_AARCH64, nil, "unknown register"},
		{"4@%edi", elf.EM_MIPS, nil, "not supported"},
	}
	for _, tt := range tests {
		got, err := ParseUSDTArgs(tt.spec, tt.machine)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseUSDTArgs(%q) error = %v, want %q", tt.spec, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseUSDTArgs(%q): %v", tt.spec, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(USDTArg{}, "Spec")); diff != "" {
			t.Errorf("ParseUSDTArgs(%q) (-want +got):\n%s", tt.spec, diff)
		}
		for i, a := range got {
			if want := splitUSDTArgs(tt.spec)[i]; a.Spec != want {
				t.Errorf("ParseUSDTArgs(%q)[%d].Spec = %q, want %q", tt.spec, i, a.Spec, want)
			}
		}
	}
}

// TestReadUSDTProbes reads the notes of the test program and checks each
// probe against what the source says: its provider and name, the function
// its address is in, its semaphore, and its arguments' sizes, signs and
// location kinds (the locations themselves are checked by value in the
// kernel test TestUSDTArgs).
func TestReadUSDTProbes(t *testing.T) {
	exe := usdttest.Build(t)
	probes, err := ReadUSDTProbes(exe)
	if err != nil {
		t.Fatal(err)
	}
	syms, err := OpenELFSymbols(exe)
	if err != nil {
		t.Fatal(err)
	}
	type arg struct {
		Kind   USDTArgKind
		Size   int
		Signed bool
	}
	type probe struct {
		Name, Func, Semaphore string
		Args                  []arg
	}
	want := []probe{
		{"gbt:consts", "gbt_loop", "", []arg{{USDTArgConst, 4, true}, {USDTArgConst, 4, true}}},
		{"gbt:counted", "gbt_sem_round", "gbt_counted_semaphore", []arg{{USDTArgMem, 4, true}}},
		{"gbt:global", "gbt_loop", "", []arg{{USDTArgGlobal, 4, true}}},
		{"gbt:regs", "gbt_regs", "", []arg{{USDTArgReg, 4, true}, {USDTArgReg, 8, true}, {USDTArgReg, 1, false}}},
		{"gbt:stack", "gbt_sem_round", "gbt_stack_semaphore", []arg{{USDTArgMem, 8, true}, {USDTArgMem, 4, true}}},
	}
	var got []probe
	for _, p := range probes {
		if p.ArgErr != nil {
			t.Errorf("%s: %v", p, p.ArgErr)
		}
		g := probe{Name: p.String()}
		if sym, _, ok := syms.Symbolize(p.PC); ok {
			g.Func = sym.Name
		}
		if p.Semaphore != 0 {
			if sym, off, ok := syms.Symbolize(p.Semaphore); ok && off == 0 {
				g.Semaphore = sym.Name
			}
		}
		for _, a := range p.Args {
			g.Args = append(g.Args, arg{a.Kind, a.Size, a.Signed})
			if a.Kind == USDTArgGlobal {
				if sym, ok := syms.Lookup("gbt_global"); !ok || a.Addr != sym.Addr {
					t.Errorf("%s: global argument at %#x, want gbt_global's address %#x", p, a.Addr, sym.Addr)
				}
			}
		}
		got = append(got, g)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("USDT probes of the test program (-want +got):\n%s", diff)
	}
}

func TestReadUSDTProbesNone(t *testing.T) {
	probes, err := ReadUSDTProbes("/bin/sh")
	if err != nil {
		t.Fatal(err)
	}
	if len(probes) != 0 {
		t.Errorf("/bin/sh has USDT probes %v", probes)
	}
	if _, err := ReadUSDTProbes("usdt_test.go"); err == nil {
		t.Error("ReadUSDTProbes of a Go source file: no error")
	}
}

func TestMatchUSDT(t *testing.T) {
	probes := []USDTProbe{
		{Provider: "gbt", Name: "regs"}, {Provider: "gbt", Name: "stack"},
		{Provider: "libc", Name: "setjmp"}, {Provider: "other", Name: "regs"},
	}
	tests := []struct {
		pattern string
		want    []string
	}{
		{"gbt:regs", []string{"gbt:regs"}},
		{"regs", []string{"gbt:regs", "other:regs"}},
		{"gbt:*", []string{"gbt:regs", "gbt:stack"}},
		{"*:s*", []string{"gbt:stack", "libc:setjmp"}},
		{"?bt:*s", []string{"gbt:regs"}},
		{"nope", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range MatchUSDT(probes, tt.pattern) {
			got = append(got, p.String())
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("MatchUSDT(%q) (-want +got):\n%s", tt.pattern, diff)
		}
	}
}
