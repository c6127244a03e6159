package codegen

import "github.com/cilium/ebpf/asm"

// prune drops the instructions no path from the entry reaches (the code
// after a return or exit()), which the verifier rejects, jumps to the
// next instruction and instructions that do nothing.
func prune(insns asm.Instructions) asm.Instructions {
	insns = dropNoOps(insns)
	insns = dropNextJumps(insns)
	at := map[string]int{}
	for i, ins := range insns {
		if s := ins.Symbol(); s != "" {
			at[s] = i
		}
	}
	seen := make([]bool, len(insns))
	work := []int{0}
	for len(work) > 0 {
		i := work[len(work)-1]
		work = work[:len(work)-1]
		if i >= len(insns) || seen[i] {
			continue
		}
		seen[i] = true
		ins := insns[i]
		op := ins.OpCode
		switch {
		case op.JumpOp() == asm.Exit:
		case op.JumpOp() == asm.Ja && op.Class().IsJump():
			work = append(work, at[ins.Reference()])
		case op.Class().IsJump() && op.JumpOp() != asm.Call && ins.Reference() != "":
			work = append(work, at[ins.Reference()], i+1)
		default:
			work = append(work, i+1)
		}
	}
	out := insns[:0]
	for i, ins := range insns {
		if seen[i] {
			out = append(out, ins)
		}
	}
	return out
}

// dropNextJumps removes unconditional jumps whose target is the next
// instruction.
func dropNextJumps(insns asm.Instructions) asm.Instructions {
	out := insns[:0]
	for i, ins := range insns {
		if ins.OpCode.JumpOp() == asm.Ja && ins.OpCode.Class().IsJump() && ins.Symbol() == "" &&
			i+1 < len(insns) && insns[i+1].Symbol() == ins.Reference() {
			continue
		}
		out = append(out, ins)
	}
	return out
}

// dropNoOps removes the 64-bit ALU instructions that change nothing, which
// emitters produce for parameters that happen to be 0 (`AddImm r2 0`,
// `LShImm r2 0`) and moves of a register to itself. One that carries a
// label stays.
func dropNoOps(insns asm.Instructions) asm.Instructions {
	out := insns[:0]
	for _, ins := range insns {
		if ins.Symbol() == "" && isNoOp(ins) {
			continue
		}
		out = append(out, ins)
	}
	return out
}

func isNoOp(ins asm.Instruction) bool {
	op := ins.OpCode
	if op.Class() != asm.ALU64Class || ins.Offset != 0 {
		return false
	}
	switch op.Source() {
	case asm.ImmSource:
		switch op.ALUOp() {
		case asm.Add, asm.Sub, asm.Or, asm.Xor, asm.LSh, asm.RSh, asm.ArSh:
			return ins.Constant == 0
		}
	case asm.RegSource:
		return op.ALUOp() == asm.Mov && ins.Dst == ins.Src
	}
	return false
}

// ctxFromR1 rewrites the loads of the context pointer from its stack slot
// at slot (ctx in compile.go) that come before anything changes R1, where
// the program's entry left it, into moves from R1, and reports whether the
// slot is still used (read later, or its address taken), so that the
// entry must still save R1 there.
func ctxFromR1(insns asm.Instructions, slot int16) (asm.Instructions, bool) {
	isLoad := func(ins asm.Instruction) bool {
		return ins.OpCode == asm.LoadMemOp(asm.DWord) && ins.Src == asm.RFP && ins.Offset == slot
	}
	for i, ins := range insns {
		if i > 0 && ins.Symbol() != "" {
			break
		}
		if isLoad(ins) {
			mov := asm.Mov.Reg(ins.Dst, asm.R1)
			mov.Metadata = ins.Metadata
			insns[i] = mov
			continue
		}
		if writesR1(ins) {
			break
		}
	}
	for _, ins := range insns {
		cls := ins.OpCode.Class()
		if (cls.IsLoad() || cls.IsStore()) && (ins.Src == asm.RFP || ins.Dst == asm.RFP) && ins.Offset == slot {
			return insns, true
		}
		if cls.IsALU() && ins.OpCode.Source() == asm.ImmSource && ins.Constant == int64(slot) {
			return insns, true
		}
	}
	return insns, false
}

// writesR1 reports whether ins may change R1 or leave the straight line:
// calls, jumps other than conditional ones, exits, atomics and anything
// with R1 as its destination.
func writesR1(ins asm.Instruction) bool {
	op := ins.OpCode
	cls := op.Class()
	switch {
	case cls.IsJump():
		return op.JumpOp() == asm.Call || op.JumpOp() == asm.Ja || op.JumpOp() == asm.Exit
	case cls.IsStore():
		return op.Mode() == asm.AtomicMode
	}
	return ins.Dst == asm.R1
}
