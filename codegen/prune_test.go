package codegen

import (
	"testing"

	"github.com/cilium/ebpf/asm"
)

func TestIsNoOp(t *testing.T) {
	for _, tc := range []struct {
		ins  asm.Instruction
		want bool
	}{
		{asm.Add.Imm(asm.R2, 0), true},
		{asm.Sub.Imm(asm.R2, 0), true},
		{asm.LSh.Imm(asm.R2, 0), true},
		{asm.RSh.Imm(asm.R2, 0), true},
		{asm.Or.Imm(asm.R2, 0), true},
		{asm.Mov.Reg(asm.R1, asm.R1), true},
		{asm.Add.Imm(asm.R2, 1), false},
		{asm.Mov.Imm(asm.R2, 0), false},
		{asm.Mov.Reg(asm.R1, asm.R2), false},
		{asm.And.Imm(asm.R2, 0), false},
		{asm.Mul.Imm(asm.R2, 0), false},
		// 32-bit operations clear the upper half.
		{asm.Add.Imm32(asm.R2, 0), false},
		{asm.Mov.Reg32(asm.R1, asm.R1), false},
		{asm.LoadMem(asm.R1, asm.R1, 0, asm.DWord), false},
	} {
		if got := isNoOp(tc.ins); got != tc.want {
			t.Errorf("isNoOp(%v) = %v, want %v", tc.ins, got, tc.want)
		}
	}
}

// The context pointer is taken from R1 until something changes R1; the
// slot is saved only when a load of it remains or its address is taken.
func TestCtxFromR1(t *testing.T) {
	const slot = -8
	load := func(dst asm.Register) asm.Instruction { return asm.LoadMem(dst, asm.RFP, slot, asm.DWord) }
	for _, tc := range []struct {
		name     string
		in       asm.Instructions
		want     asm.Instructions
		wantSave bool
	}{
		{"first use", asm.Instructions{load(asm.R1), asm.LoadMem(asm.R6, asm.R1, 16, asm.DWord)},
			asm.Instructions{asm.Mov.Reg(asm.R1, asm.R1), asm.LoadMem(asm.R6, asm.R1, 16, asm.DWord)}, false},
		{"after a call", asm.Instructions{load(asm.R6), asm.FnKtimeGetNs.Call(), load(asm.R1)},
			asm.Instructions{asm.Mov.Reg(asm.R6, asm.R1), asm.FnKtimeGetNs.Call(), load(asm.R1)}, true},
		{"after a label", asm.Instructions{asm.Mov.Imm(asm.R0, 0), load(asm.R2).WithSymbol("x")},
			asm.Instructions{asm.Mov.Imm(asm.R0, 0), load(asm.R2).WithSymbol("x")}, true},
		{"address taken", asm.Instructions{asm.Mov.Reg(asm.R3, asm.RFP), asm.Add.Imm(asm.R3, slot)},
			asm.Instructions{asm.Mov.Reg(asm.R3, asm.RFP), asm.Add.Imm(asm.R3, slot)}, true},
	} {
		got, save := ctxFromR1(append(asm.Instructions{}, tc.in...), slot)
		if save != tc.wantSave {
			t.Errorf("%s: save %v, want %v", tc.name, save, tc.wantSave)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s: got %v, want %v", tc.name, got, tc.want)
		}
		for i := range got {
			if got[i].OpCode != tc.want[i].OpCode || got[i].Dst != tc.want[i].Dst || got[i].Src != tc.want[i].Src ||
				got[i].Offset != tc.want[i].Offset || got[i].Constant != tc.want[i].Constant {
				t.Errorf("%s: instruction %d is %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
}
