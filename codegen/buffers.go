package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// buf(p, n): n bytes of kernel or user memory that print as \xNN escapes
// (printf's %r and %rx, map keys, print). A buffer value is laid out as its
// length (8 bytes) then its bytes (see Layout).

// bufferHeader is the size of a buffer value's length field.
const bufferHeader = 8

// storeBuffer writes a buffer value of type dst at off.
func (g *gen) storeBuffer(e ast.Expr, off int16, dst *ast.Type) {
	size := dst.Size
	c, ok := e.(*ast.Call)
	if !ok || c.Name != "buf" || len(c.Args) == 0 {
		src := g.memExprAny(e)
		if src == nil {
			return
		}
		st := g.typeOf(e)
		n := bufferHeader + align8(min(size, st.Size))
		g.copyBytes(off, *src, n)
		if rest := g.c.sizeOf(dst) - n; rest > 0 {
			g.zeroRange(off+int16(n), rest)
		}
		return
	}
	if t := g.typeOf(c.Args[0]); t != nil && t.Kind == ast.KString {
		// buf of a string: its bytes, NULs included, as the type says.
		g.storeString(c.Args[0], off+bufferHeader, align8(size))
		g.emit(storeImm(asm.RFP, off, int64(min(size, t.Size)), asm.DWord))
		return
	}
	var dyn *tmp
	n := size
	if len(c.Args) == 2 {
		if imm, ok := immOf(c.Args[1]); ok {
			n = min(n, int(max(imm, 0)))
		} else {
			dyn = g.intExpr(c.Args[1])
		}
	}
	p := g.intExpr(c.Args[0])
	g.zeroFill(off, g.c.sizeOf(dst))
	if dyn != nil {
		// R2 = n within 0..size, as the verifier needs.
		g.clampLen(dyn, 0, size)
	} else {
		g.emit(asm.Mov.Imm(asm.R2, int32(n)))
	}
	g.emit(asm.StoreMem(asm.RFP, off, asm.R2, asm.DWord))
	g.regs.load(asm.R3, p)
	g.regs.free(p)
	fn := asm.FnProbeReadKernel
	if g.userPointers() {
		fn = asm.FnProbeReadUser
	}
	g.emit(asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, int32(off+bufferHeader)), fn.Call())
}

// clampLen loads the length dyn (freed) plus extra into R2, kept within
// 0..size as the verifier needs for a read's length; a negative dyn gives
// 0, so the read reads nothing.
func (g *gen) clampLen(dyn *tmp, extra int32, size int) {
	g.regs.load(asm.R2, dyn)
	g.regs.free(dyn)
	neg, done := g.newLabel("lenneg"), g.newLabel("len")
	g.emit(asm.JSLT.Imm(asm.R2, 0, neg))
	if extra != 0 {
		g.emit(asm.Add.Imm(asm.R2, extra))
	}
	g.emit(asm.JLE.Imm(asm.R2, int32(size), done),
		asm.Mov.Imm(asm.R2, int32(size)), asm.Ja.Label(done))
	g.label(neg)
	g.emit(asm.Mov.Imm(asm.R2, 0))
	g.label(done)
}
