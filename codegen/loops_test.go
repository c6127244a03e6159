package codegen

import (
	"testing"

	"github.com/cilium/ebpf/asm"
)

// A loop whose head is the program's first instruction, and constant
// loop conditions, compile to programs whose jumps all land.
func TestLoopJumpsResolve(t *testing.T) {
	tests := []struct {
		src   string
		tests int // conditional jumps on a register against 0 that the loop's condition may emit
	}{
		{`BEGIN { while (1) { @x++; } }`, 0},
		{`BEGIN { while (1) { $x = 1; } }`, 0},
		{`BEGIN { while (0) { $x = 1; } }`, 0},
		{`BEGIN { while (1) { @x++; if (@x > 5) { break; } } }`, 0},
		{`BEGIN { $i = 0; while ($i) { $i = 0; } }`, 1},
	}
	for _, tt := range tests {
		obj := mustCompile(t, tt.src)
		insns := obj.Programs[0].Insns
		if insns[0].Symbol() != obj.Programs[0].Name {
			t.Errorf("%s: the first instruction is %q, want the program's name", tt.src, insns[0].Symbol())
		}
		symbols := map[string]bool{}
		for _, ins := range insns {
			if ins.Symbol() != "" {
				symbols[ins.Symbol()] = true
			}
		}
		zeroTests := 0
		for _, ins := range insns {
			if ins.OpCode.JumpOp() == asm.JEq && ins.OpCode.Source() == asm.ImmSource && ins.Constant == 0 &&
				ins.Dst != asm.R0 {
				zeroTests++
			}
			if ref := ins.Reference(); ref != "" && ins.OpCode.Class().IsJump() && !ins.IsBuiltinCall() && !symbols[ref] {
				t.Errorf("%s: a jump to %q, which no instruction carries:\n%s", tt.src, ref, obj.Listing())
			}
		}
		if zeroTests != tt.tests {
			t.Errorf("%s: %d tests of a register against 0, want %d:\n%s", tt.src, zeroTests, tt.tests, obj.Listing())
		}
	}
}
