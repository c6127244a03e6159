package codegen

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/lang/ast"
)

// argsUser is testUser with debug information for some of its functions.
var argsUser = func() fakeUser {
	u := testUser
	u.funcs = append(u.funcs, "regs", "mixed", "many", "bypair")
	u.params = map[string][]FuncParam{
		"regs": {
			{Name: "i", CType: "int", Kind: ParamInt, Size: 4, Signed: true},
			{Name: "l", CType: "long int", Kind: ParamInt, Size: 8, Signed: true},
			{Name: "c", CType: "unsigned char", Kind: ParamInt, Size: 1},
			{Name: "s", CType: "short", Kind: ParamInt, Size: 2, Signed: true},
		},
		// The double travels in an SSE register: p is in rsi.
		"mixed": {
			{Name: "d", CType: "double", Kind: ParamFloat, Size: 8},
			{Name: "name", CType: "const char *", Kind: ParamPointer, Size: 8},
			{Name: "p", CType: "size_t", Kind: ParamInt, Size: 8},
		},
		"many": {
			{Name: "a", CType: "int", Kind: ParamInt, Size: 4, Signed: true},
			{Name: "b", CType: "int", Kind: ParamInt, Size: 4, Signed: true},
			{Name: "c", CType: "int", Kind: ParamInt, Size: 4, Signed: true},
			{Name: "d", CType: "int", Kind: ParamInt, Size: 4, Signed: true},
			{Name: "e", CType: "int", Kind: ParamInt, Size: 4, Signed: true},
			{Name: "f", CType: "int", Kind: ParamInt, Size: 4, Signed: true},
			{Name: "g", CType: "int", Kind: ParamInt, Size: 4, Signed: true},
		},
		"bypair": {
			{Name: "pr", CType: "struct pair", Kind: ParamRecord, Size: 16},
			{Name: "n", CType: "int", Kind: ParamInt, Size: 4, Signed: true},
		},
	}
	return u
}()

func compileArgs(src string) (*Object, error) {
	prog, err := parseCheck(src)
	if err != nil {
		return nil, err
	}
	return Compile(prog, Options{Kernel: testKernel, Types: testTypes, User: argsUser})
}

// ctxLoads are the (offset, size) of the loads from the probe context
// (struct pt_regs) in a program: the loads from R1 as the program starts,
// or from a register loaded from the stack slot R1 was saved to.
func ctxLoads(insns asm.Instructions) [][2]int {
	var out [][2]int
	ctxReg := map[asm.Register]bool{asm.R1: true}
	slot, saved := int16(0), false
	for _, ins := range insns {
		op := ins.OpCode
		switch {
		case op.Class().IsLoad() && op.Mode() == asm.MemMode:
			if ctxReg[ins.Src] {
				out = append(out, [2]int{int(ins.Offset), op.Size().Sizeof()})
			}
			ctxReg[ins.Dst] = saved && ins.Src == asm.RFP && ins.Offset == slot && op.Size() == asm.DWord
		case op.Class().IsStore() && ins.Dst == asm.RFP && ctxReg[ins.Src] && !saved:
			slot, saved = ins.Offset, true
		case ins.IsBuiltinCall():
			for r := asm.R0; r <= asm.R5; r++ {
				delete(ctxReg, r)
			}
		default:
			delete(ctxReg, ins.Dst)
		}
	}
	return out
}

// args.NAME reads the parameter's register at its width and is typed as
// the parameter is: narrower integers keep their size and sign, floats
// take no integer register, pointers are user pointers.
func TestUprobeArgs(t *testing.T) {
	obj, err := compileArgs(`uprobe:prog:regs { printf("%d %d %d %d\n", args.i, args->l, args.c, args.s); }
uprobe:prog:mixed { printf("%s %d\n", str(args.name), args.p); }`)
	if err != nil {
		t.Fatal(err)
	}
	var types [][]*ast.Type
	for _, f := range obj.Printfs {
		var ts []*ast.Type
		for _, a := range f.Args {
			ts = append(ts, a.Type)
		}
		types = append(types, ts)
	}
	wantTypes := [][]*ast.Type{
		{ast.Int(4, true), ast.Int(8, true), ast.Int(1, false), ast.Int(2, true)},
		{ast.String(64), ast.Int(8, false)},
	}
	if diff := cmp.Diff(wantTypes, types); diff != "" {
		t.Errorf("printf argument types (-want +got):\n%s", diff)
	}
	wantLoads := [][][2]int{
		{{112, 4}, {104, 8}, {96, 1}, {88, 2}}, // rdi, rsi, rdx, rcx
		{{112, 8}, {104, 8}},                   // rdi, rsi: the double took no register
	}
	for i, p := range obj.Programs {
		if diff := cmp.Diff(wantLoads[i], ctxLoads(p.Insns)); diff != "" {
			t.Errorf("%s: context loads (-want +got):\n%s", p.Probe, diff)
		}
	}
	var readsUserStr bool
	for _, ins := range obj.Programs[1].Insns {
		readsUserStr = readsUserStr || ins.IsBuiltinCall() && ins.Constant == int64(asm.FnProbeReadUserStr)
	}
	if !readsUserStr {
		t.Errorf("str(args.name) does not read user memory")
	}
}

// Parameters that cannot be read are refused where args names them.
func TestUprobeArgsRefusals(t *testing.T) {
	tests := []struct{ src, msg string }{
		{`uprobe:prog:regs { @ = args.zz; }`, "function regs of prog has no parameter zz (its parameters are i, l, c, s)"},
		{`uprobe:prog:main { @ = args.x; }`, "cannot read args of main: /bin/prog has no debug information (DWARF) for function main"},
		{`uprobe:prog:many { @ = args.g; }`, "args.g is passed on the stack"},
		{`uprobe:prog:mixed { @ = args.d; }`, "args.d is parameter d (double), passed in an SSE register"},
		{`uprobe:prog:bypair { @ = args.pr; }`, "args.pr is parameter pr (struct pair) passed by value"},
		{`uprobe:prog:bypair { @ = args.n; }`, "the register of args.n is not known: parameter pr (struct pair) comes before it"},
		{`uprobe:prog:regs+4 { @ = args.i; }`, "args is not available in a uprobe at an offset into regs"},
	}
	for _, tc := range tests {
		_, err := compileArgs(tc.src)
		list := diagnostics(t, tc.src, err)
		if list == nil {
			continue
		}
		if !strings.Contains(list[0].Msg, tc.msg) || !list[0].Pos.IsValid() {
			t.Errorf("%s: got %v, want %q at a position", tc.src, list, tc.msg)
		}
	}
	// Without information about binaries, args is refused, not guessed.
	prog, err := parseCheck(`uprobe:/bin/prog:regs { @ = args.i; }`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(prog, Options{Kernel: testKernel, Types: testTypes})
	if err == nil || !strings.Contains(err.Error(), "needs the debug information of /bin/prog") {
		t.Errorf("without UserInfo: got %v, want a refusal", err)
	}
}
