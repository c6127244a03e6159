package codegen

import (
	"strings"

	"github.com/cilium/ebpf/asm"
)

// Tracepoint fields declared `__data_loc char[] name` (or __rel_loc) hold
// a 32-bit descriptor instead of the string: the low 16 bits are the
// string's offset in the record (for __rel_loc, from the end of the
// field), the high 16 bits its length. They read as strings of the
// maximum string size.

// isDataLocString reports whether f is a __data_loc or __rel_loc string.
func isDataLocString(f *TracepointField) bool {
	ct := strings.TrimSpace(f.CType)
	return (strings.HasPrefix(ct, "__data_loc ") || strings.HasPrefix(ct, "__rel_loc ")) && strings.Contains(ct, "char")
}

// storeDataLocString reads the string a __data_loc field describes into
// size bytes at off, NUL-terminated and zero-padded. The verifier forbids
// arithmetic on the context pointer, so the string's address is computed
// from a copy of the pointer's value that bpf_probe_read_kernel makes.
func (g *gen) storeDataLocString(f *TracepointField, off int16, size int) {
	g.zeroFill(off, size)
	g.ctxUsed = true
	base := g.stack.alloc(8)
	g.emit(asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, int32(base)),
		asm.Mov.Imm(asm.R2, 8),
		onRealStack(asm.Mov.Reg(asm.R3, asm.RFP)), asm.Add.Imm(asm.R3, int32(g.ctxSlot)),
		asm.FnProbeReadKernel.Call())
	g.ctx(asm.R1)
	g.emit(asm.LoadMem(asm.R2, asm.R1, int16(f.Offset), asm.Word),
		asm.And.Imm(asm.R2, 0xffff),
		asm.LoadMem(asm.R3, asm.RFP, base, asm.DWord), asm.Add.Reg(asm.R3, asm.R2))
	if strings.HasPrefix(strings.TrimSpace(f.CType), "__rel_loc ") {
		g.emit(asm.Add.Imm(asm.R3, int32(f.Offset+f.Size)))
	}
	g.emit(asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, int32(off)),
		asm.Mov.Imm(asm.R2, int32(size)), asm.FnProbeReadKernelStr.Call())
}
