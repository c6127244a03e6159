package runtime

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/runtime/usdttest"
)

// HostUserInfo gives codegen the test program's functions and its USDT
// probes with their argument locations in codegen's form.
func TestHostUserInfo(t *testing.T) {
	exe := usdttest.Build(t)
	u := HostUserInfo(0)
	if p, err := u.Path(exe); err != nil || p != exe {
		t.Errorf("Path(%s) = %q, %v", exe, p, err)
	}
	funcs, err := u.MatchFuncs(exe, "gbt_a*")
	if err != nil || !cmp.Equal(funcs, []string{"gbt_add"}) {
		t.Errorf("MatchFuncs(gbt_a*) = %q, %v; want [gbt_add]", funcs, err)
	}
	if _, err := u.MatchFuncs(exe, "nosuch*"); err == nil {
		t.Error("MatchFuncs(nosuch*): no error")
	}
	probes, err := u.USDT(exe, "gbt:regs")
	if err != nil || len(probes) != 1 {
		t.Fatalf("USDT(gbt:regs) = %+v, %v; want one location", probes, err)
	}
	// -4@%edi -8@%rsi 1@%dl, or other registers: the compiler chooses.
	var kinds []codegen.USDTArgKind
	for _, a := range probes[0].Args {
		kinds = append(kinds, a.Kind)
		if a.Index != -1 {
			t.Errorf("register argument with an index register: %+v", a)
		}
	}
	if !cmp.Equal(kinds, []codegen.USDTArgKind{codegen.USDTReg, codegen.USDTReg, codegen.USDTReg}) {
		t.Errorf("gbt:regs argument kinds %v, want three registers", kinds)
	}
	all, err := ReadUSDTProbes(exe)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.String() == "gbt:regs" && p.PC != probes[0].PC {
			t.Errorf("gbt:regs at %#x, want %#x", probes[0].PC, p.PC)
		}
	}
	if _, err := u.USDT(exe, "gbt:nosuch"); err == nil {
		t.Error("USDT(gbt:nosuch): no error")
	}
}

// codegenUSDTArg keeps every field codegen lowers.
func TestCodegenUSDTArg(t *testing.T) {
	tests := []struct {
		in   USDTArg
		want codegen.USDTArg
	}{
		{USDTArg{Kind: USDTArgConst, Size: 4, Signed: true, Value: -7},
			codegen.USDTArg{Kind: codegen.USDTConst, Size: 4, Signed: true, Value: -7, Index: -1}},
		{USDTArg{Kind: USDTArgReg, Size: 1, Reg: USDTReg{Name: "ax", Offset: 80, Shift: 8}},
			codegen.USDTArg{Kind: codegen.USDTReg, Size: 1, Reg: 80, Shift: 8, Index: -1}},
		{USDTArg{Kind: USDTArgMem, Size: 8, Reg: USDTReg{Name: "bp", Offset: 32}, Offset: -16,
			Index: USDTReg{Name: "ax", Offset: 80}, Scale: 4},
			codegen.USDTArg{Kind: codegen.USDTMem, Size: 8, Reg: 32, Offset: -16, Index: 80, Scale: 4}},
		{USDTArg{Kind: USDTArgGlobal, Size: 4, Reg: USDTReg{Name: "ip", Offset: 128}, Addr: 0x4010},
			codegen.USDTArg{Kind: codegen.USDTGlobal, Size: 4, Reg: 128, Addr: 0x4010, Index: -1}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, codegenUSDTArg(tt.in)); diff != "" {
			t.Errorf("codegenUSDTArg(%+v) (-want +got):\n%s", tt.in, diff)
		}
	}
}
