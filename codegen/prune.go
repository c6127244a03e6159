package codegen

import "github.com/cilium/ebpf/asm"

// prune drops the instructions no path from the entry reaches (the code
// after a return or exit()), which the verifier rejects, and jumps to the
// next instruction.
func prune(insns asm.Instructions) asm.Instructions {
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
