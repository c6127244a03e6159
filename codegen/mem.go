package codegen

import (
	"encoding/binary"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// Strings and tuples live in stack buffers laid out as in a Layout. The
// emitters below write a value into a buffer at a given offset from R10.

// memExpr evaluates a string or tuple into a new stack buffer of its
// type's size and returns the buffer's offset.
func (g *gen) memExpr(e ast.Expr) int16 {
	t := g.typeOf(e)
	if t == nil || !isMemory(t) {
		g.fail(e, "expected a string or tuple, found %s", t)
		return g.stack.alloc(8)
	}
	if v, ok := e.(*ast.Var); ok {
		// A variable already is a buffer.
		return g.variable(v).off
	}
	off := g.stack.alloc(g.c.sizeOf(t))
	g.store(e, off, t)
	return off
}

// store writes e's value at off as a value of type dst (the type of the
// destination: its string sizes may differ from e's).
func (g *gen) store(e ast.Expr, off int16, dst *ast.Type) {
	t := g.typeOf(e)
	switch {
	case t == nil || dst == nil:
		g.fail(e, "this expression is not implemented yet")
	case isScalar(dst):
		v := g.intExpr(e)
		g.storeTmp(off, v)
	case dst.Kind == ast.KString:
		g.storeString(e, off, g.c.strSize(dst))
	case dst.Kind == ast.KTuple:
		g.storeTuple(e, off, dst)
	case dst.Kind == ast.KTimestamp:
		g.storeTimestamp(e, off)
	case isUsym(dst):
		g.storeUsym(e, off)
	case dst.Kind == ast.KBuffer:
		g.storeBuffer(e, off, dst)
	default:
		g.fail(e, "values of type %s are not implemented yet", dst)
	}
}

// storeString writes a string of at most size bytes (NUL-padded) at off.
func (g *gen) storeString(e ast.Expr, off int16, size int) {
	t := g.typeOf(e)
	if t.Kind != ast.KString {
		g.fail(e, "expected a string, found %s", t)
		return
	}
	switch x := e.(type) {
	case *ast.StrLit:
		g.storeBytes(off, size, x.Value)
		return
	case *ast.Positional:
		g.storeBytes(off, size, g.positionalStr(x))
		return
	case *ast.Ternary:
		g.ternary(x, func() { g.storeString(x.Then, off, size) }, func() { g.storeString(x.Else, off, size) })
		return
	case *ast.Ident:
		if x.Name == "comm" {
			// The helper NUL-pads its 16 bytes; zero what lies beyond.
			if size > 16 {
				g.zeroRange(off+16, align8(size)-16)
			}
			g.emit(asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, int32(off)),
				asm.Mov.Imm(asm.R2, int32(min(size, 16))), asm.FnGetCurrentComm.Call())
			return
		}
	case *ast.Call:
		em, name := emitterFor(x.Name)
		if em == nil || em.str == nil {
			g.fail(x, "builtin %s is not implemented yet", name)
			return
		}
		em.str(g, x, off, size)
		return
	case *ast.Field:
		if f := g.argsField(x); f != nil && isDataLocString(f) {
			g.storeDataLocString(f, off, size)
			return
		}
		if f := g.argsField(x); f != nil {
			g.zeroFill(off, size)
			g.emit(asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, int32(off)),
				asm.Mov.Imm(asm.R2, int32(min(size-1, f.Size))))
			g.ctx(asm.R3)
			g.emit(asm.Add.Imm(asm.R3, int32(f.Offset)), asm.FnProbeReadKernel.Call())
			return
		}
		if m := g.member(x); m != nil && m.Kind == MemberArray {
			g.memberString(x, m, off, size)
			return
		}
	}
	// Any other string source is copied from the buffer it lives in.
	src := g.memExprAny(e)
	if src == nil {
		return
	}
	g.copyString(off, size, *src, g.c.strSize(t))
}

// memExprAny evaluates a string or tuple held elsewhere (a variable, a
// map value) into a buffer.
func (g *gen) memExprAny(e ast.Expr) *int16 {
	switch x := e.(type) {
	case *ast.Var:
		off := g.variable(x).off
		return &off
	case *ast.MapExpr:
		off := g.mapReadMem(x)
		return &off
	case *ast.TupleIndex:
		tt := g.typeOf(x.X)
		if tt == nil || tt.Kind != ast.KTuple || x.N < 0 || x.N >= len(tt.Elems) {
			g.fail(x, "bad tuple index")
			return nil
		}
		off := g.memExpr(x.X) + int16(g.c.field(tt, 0).Elems[x.N].Offset)
		return &off
	}
	g.fail(e, "this string expression is not implemented yet")
	return nil
}

// copyString copies a string of srcSize bytes at src into size bytes at
// dst, truncating (with a final NUL) or zero-padding.
func (g *gen) copyString(dst int16, size int, src int16, srcSize int) {
	n := min(size, srcSize)
	g.copyBytes(dst, src, n)
	if n < size {
		g.zeroRange(dst+int16(n), size-n)
	}
	if srcSize > size {
		g.emit(storeImm(asm.RFP, dst+int16(size-1), 0, asm.Byte))
	}
}

// copyBytes copies n bytes between stack buffers.
func (g *gen) copyBytes(dst, src int16, n int) {
	if dst == src {
		return
	}
	for i := 0; i < n; {
		sz, w := asm.DWord, 8
		switch {
		case n-i >= 8:
		case n-i >= 4:
			sz, w = asm.Word, 4
		case n-i >= 2:
			sz, w = asm.Half, 2
		default:
			sz, w = asm.Byte, 1
		}
		g.emit(asm.LoadMem(asm.R1, asm.RFP, src+int16(i), sz), asm.StoreMem(asm.RFP, dst+int16(i), asm.R1, sz))
		i += w
	}
}

// zeroFill zeroes a whole buffer of size bytes (size rounded up to 8: every
// buffer is 8-aligned and 8-sized).
func (g *gen) zeroFill(off int16, size int) {
	g.zeroRange(off, align8(size))
}

func (g *gen) zeroRange(off int16, n int) {
	for i := 0; i < n; {
		sz, w := asm.DWord, 8
		switch {
		case n-i >= 8 && (int(off)+i)%8 == 0:
		case n-i >= 4 && (int(off)+i)%4 == 0:
			sz, w = asm.Word, 4
		case n-i >= 2 && (int(off)+i)%2 == 0:
			sz, w = asm.Half, 2
		default:
			sz, w = asm.Byte, 1
		}
		g.emit(storeImm(asm.RFP, off+int16(i), 0, sz))
		i += w
	}
}

// storeBytes writes a constant string into size bytes at off, NUL-padded
// and truncated to size-1 bytes.
func (g *gen) storeBytes(off int16, size int, s string) {
	if len(s) > size-1 {
		s = s[:size-1]
	}
	buf := make([]byte, align8(size))
	copy(buf, s)
	for i := 0; i < len(buf); i += 8 {
		chunk := buf[i : i+8]
		lo := int32(binary.NativeEndian.Uint32(chunk[:4]))
		hi := int32(binary.NativeEndian.Uint32(chunk[4:]))
		if hi == 0 && lo >= 0 {
			g.emit(storeImm(asm.RFP, off+int16(i), int64(lo), asm.DWord))
			continue
		}
		g.emit(storeImm(asm.RFP, off+int16(i), int64(lo), asm.Word),
			storeImm(asm.RFP, off+int16(i+4), int64(hi), asm.Word))
	}
}

func (g *gen) storeTuple(e ast.Expr, off int16, dst *ast.Type) {
	layout := g.c.field(dst, 0)
	switch x := e.(type) {
	case *ast.Tuple:
		if len(x.Elems) != len(dst.Elems) {
			g.fail(e, "tuple has %d elements, expected %d", len(x.Elems), len(dst.Elems))
			return
		}
		g.zeroFill(off, layout.Size)
		for i, el := range x.Elems {
			g.store(el, off+int16(layout.Elems[i].Offset), dst.Elems[i])
		}
		return
	case *ast.Ternary:
		g.ternary(x, func() { g.storeTuple(x.Then, off, dst) }, func() { g.storeTuple(x.Else, off, dst) })
		return
	}
	src := g.memExprAny(e)
	if src == nil {
		return
	}
	g.copyTuple(off, dst, *src, g.typeOf(e))
}

// copyTuple copies a tuple between buffers whose string sizes may differ.
func (g *gen) copyTuple(dst int16, dt *ast.Type, src int16, st *ast.Type) {
	dl, sl := g.c.field(dt, 0), g.c.field(st, 0)
	if dl.Size == sl.Size {
		g.copyBytes(dst, src, dl.Size)
		return
	}
	for i := range dl.Elems {
		d, s := dl.Elems[i], sl.Elems[i]
		switch d.Type.Kind {
		case ast.KString:
			g.copyString(dst+int16(d.Offset), d.Size, src+int16(s.Offset), s.Size)
		case ast.KTuple:
			g.copyTuple(dst+int16(d.Offset), d.Type, src+int16(s.Offset), s.Type)
		default:
			g.copyBytes(dst+int16(d.Offset), src+int16(s.Offset), 8)
		}
	}
}
