package codegen

import (
	"math"
	"strconv"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// typeOf is e's checked type, with the members of tracepoint records
// (which the checker leaves as KKernel) typed from the tracepoint format,
// and the types built from them (variables, map values, tuples) made
// concrete. It is nil when the type cannot be made concrete.
func (g *gen) typeOf(e ast.Expr) *ast.Type {
	t := e.Type()
	if !hasKernel(t) {
		return t
	}
	var out *ast.Type
	switch x := e.(type) {
	case *ast.Field:
		if f := g.argsField(x); f != nil {
			out = fieldType(f)
		} else if m := g.member(x); m != nil {
			out = memberType(m)
		}
	case *ast.Var:
		if v := g.vars[x.Name]; v != nil {
			out = v.typ
		}
	case *ast.MapExpr:
		if mp := g.c.maps[x.Name]; mp != nil {
			out = mp.ValueType
		}
	case *ast.Ternary:
		out = g.typeOf(x.Then)
	case *ast.Binary:
		// Arithmetic on a tracepoint field: bpftrace's rule again, on
		// the field's concrete type (an unsigned field keeps the result
		// unsigned), or pointer arithmetic on a pointer field.
		lt, rt := g.typeOf(x.X), g.typeOf(x.Y)
		switch {
		case lt == nil || rt == nil:
		case lt.Kind == ast.KPointer && (x.Op == "+" || x.Op == "-"):
			out = lt
		case rt.Kind == ast.KPointer && x.Op == "+":
			out = rt
		default:
			out = ast.Arith(lt, rt)
		}
	case *ast.Unary:
		if xt := g.typeOf(x.X); xt != nil && (x.Op == "-" || x.Op == "~") {
			out = ast.Arith(xt, xt)
		}
	case *ast.TupleIndex:
		if tt := g.typeOf(x.X); tt != nil && tt.Kind == ast.KTuple && x.N >= 0 && x.N < len(tt.Elems) {
			out = tt.Elems[x.N]
		}
	case *ast.Tuple:
		elems := make([]*ast.Type, len(x.Elems))
		for i, el := range x.Elems {
			if elems[i] = g.typeOf(el); elems[i] == nil {
				return nil
			}
		}
		out = ast.TupleOf(elems...)
	}
	if hasKernel(out) {
		return nil
	}
	return out
}

// hasKernel reports whether t is or contains a KKernel type.
func hasKernel(t *ast.Type) bool {
	if t == nil {
		return false
	}
	if t.Kind == ast.KKernel {
		return true
	}
	for _, e := range t.Elems {
		if hasKernel(e) {
			return true
		}
	}
	return false
}

// argsField finds the tracepoint field that e (args.name) reads, or the
// parameter of a uprobe's function as a field (uprobeArgField).
func (g *gen) argsField(e ast.Expr) *TracepointField {
	fe, ok := e.(*ast.Field)
	if !ok {
		return nil
	}
	id, ok := fe.X.(*ast.Ident)
	if !ok || id.Name != "args" {
		return nil
	}
	if k := g.plan.attach.Kind; k == AttachFentry || k == AttachFexit {
		g.fentryArgs(fe)
		return nil
	}
	if g.plan.attach.Kind == AttachUprobe {
		return g.uprobeArgField(fe)
	}
	if g.plan.attach.Kind != AttachTracepoint {
		return nil
	}
	tp := g.tracepoint(fe)
	if tp == nil {
		return nil
	}
	for i := range tp.Fields {
		if tp.Fields[i].Name == fe.Name {
			return &tp.Fields[i]
		}
	}
	g.failOnce(fe, "Struct/union of type 'struct _tracepoint_%s_%s' does not contain a field named '%s'", tp.Group, tp.Event, fe.Name)
	return nil
}

// failOnce reports a failure at n once, however often n is looked at
// (typeOf and the emitters look at an expression several times).
func (g *gen) failOnce(n ast.Node, format string, args ...any) {
	if g.reported == nil {
		g.reported = map[ast.Node]bool{}
	}
	if !g.reported[n] {
		g.reported[n] = true
		g.fail(n, format, args...)
	}
}

// zero returns a temp holding 0, for error paths.
func (g *gen) zero() *tmp {
	t := g.regs.alloc()
	g.emit(asm.Mov.Imm(t.reg, 0))
	return t
}

// constant returns a temp holding v.
func (g *gen) constant(v int64) *tmp {
	t := g.regs.alloc()
	g.movImm(t.reg, v)
	return t
}

func (g *gen) movImm(r asm.Register, v int64) {
	if v >= math.MinInt32 && v <= math.MaxInt32 {
		g.emit(asm.Mov.Imm(r, int32(v)))
	} else {
		g.emit(asm.LoadImm(r, v, asm.DWord))
	}
}

// intExpr evaluates a scalar expression into a temp, as a 64-bit value
// sign- or zero-extended from its type.
func (g *gen) intExpr(e ast.Expr) *tmp {
	t := g.typeOf(e)
	if !isScalar(t) {
		switch {
		case g.failed:
		case t == nil:
			g.fail(e, "this expression is not implemented yet")
		default:
			g.fail(e, "expected an integer value, found %s", t)
		}
		return g.zero()
	}
	switch x := e.(type) {
	case *ast.IntLit:
		return g.constant(int64(x.Value))
	case *ast.BoolLit:
		if x.Value {
			return g.constant(1)
		}
		return g.constant(0)
	case *ast.Positional:
		return g.constant(g.positionalInt(x))
	case *ast.Var:
		v := g.variable(x)
		r := g.regs.alloc()
		g.emit(asm.LoadMem(r.reg, asm.RFP, v.off, asm.DWord))
		return r
	case *ast.MapExpr:
		return g.mapReadInt(x)
	case *ast.Ident:
		return g.builtinVar(x)
	case *ast.Call:
		return g.callInt(x)
	case *ast.Binary:
		return g.binary(x)
	case *ast.Unary:
		return g.unary(x)
	case *ast.IncDec:
		return g.incDec(x)
	case *ast.Ternary:
		res := g.branchResult()
		g.ternary(x, func() {
			v := g.intExpr(x.Then)
			g.storeTmp(res.slot, v)
		}, func() {
			v := g.intExpr(x.Else)
			g.storeTmp(res.slot, v)
		})
		return res
	case *ast.Cast:
		v := g.intExpr(x.X)
		g.extend(g.regs.reg(v), t)
		return v
	case *ast.Field:
		return g.fieldInt(x)
	case *ast.TupleIndex:
		return g.tupleIndexInt(x)
	}
	g.fail(e, "this expression is not implemented yet")
	return g.zero()
}

// storeTmp stores v at off (from R10) and frees it.
func (g *gen) storeTmp(off int16, v *tmp) {
	g.emit(asm.StoreMem(asm.RFP, off, g.regs.reg(v), asm.DWord))
	g.regs.free(v)
}

// branchResult is a temp in a stack slot that both arms of a branch
// write; it is read after the join.
func (g *gen) branchResult() *tmp {
	t := &tmp{slot: g.stack.alloc(8), spilled: true}
	g.regs.live = append(g.regs.live, t)
	return t
}

// ternary emits `cond ? then : else` for any arm emitters; it spills the
// live temps first, so that both arms leave the registers alike.
func (g *gen) ternary(x *ast.Ternary, then, els func()) {
	g.flush()
	elseL, end := g.newLabel("else"), g.newLabel("fi")
	g.condJump(x.Cond, false, elseL)
	then()
	g.emit(asm.Ja.Label(end))
	g.label(elseL)
	els()
	g.label(end)
}

// flush spills every live temp, before code that branches around
// evaluations.
func (g *gen) flush() {
	for _, t := range g.regs.live {
		if !t.spilled {
			g.regs.spill(t)
		}
	}
}

// extend sign- or zero-extends the low bytes of r per t.
func (g *gen) extend(r asm.Register, t *ast.Type) {
	if t == nil || t.Kind != ast.KInt || t.Size >= 8 || t.Size <= 0 {
		return
	}
	bits := int32(64 - 8*t.Size)
	switch {
	case t.Signed:
		g.emit(asm.LSh.Imm(r, bits), asm.ArSh.Imm(r, bits))
	case t.Size == 4:
		g.emit(asm.Mov.Reg32(r, r))
	default:
		g.emit(asm.And.Imm(r, int32(1)<<(8*t.Size)-1))
	}
}

// positionalInt is the value of $N or $# as an integer constant.
func (g *gen) positionalInt(p *ast.Positional) int64 {
	params := g.c.opts.Params
	if p.Count {
		return int64(len(params))
	}
	if p.N < 1 || p.N > len(params) {
		return 0
	}
	s := params[p.N-1]
	if v, err := strconv.ParseInt(s, 0, 64); err == nil {
		return v
	}
	if v, err := strconv.ParseUint(s, 0, 64); err == nil {
		return int64(v)
	}
	g.fail(p, "positional parameter $%d is not a number: %q", p.N, s)
	return 0
}

// positionalStr is the value of $N as a string constant.
func (g *gen) positionalStr(p *ast.Positional) string {
	if p.N >= 1 && p.N <= len(g.c.opts.Params) {
		return g.c.opts.Params[p.N-1]
	}
	return ""
}

// variable returns the stack slot of a scratch variable.
func (g *gen) variable(v *ast.Var) *variable {
	if s := g.vars[v.Name]; s != nil {
		return s
	}
	// Every assigned variable is given a slot before emission.
	g.fail(v, "variable %s is used before it is assigned", v.Name)
	s := &variable{off: g.stack.alloc(8), typ: ast.Int(8, true)}
	g.vars[v.Name] = s
	return s
}

func (g *gen) fieldInt(f *ast.Field) *tmp {
	tf := g.argsField(f)
	if tf == nil {
		if m := g.member(f); m != nil {
			return g.memberInt(f, m, g.typeOf(f))
		}
		if !g.failed {
			g.fail(f, "field %s is not implemented yet", f.Name)
		}
		return g.zero()
	}
	t := g.typeOf(f)
	r := g.regs.alloc()
	g.ctx(asm.R1)
	// A field typed narrower than its slot (fieldIntType) is the slot's
	// low bytes, which come first on this little-endian machine.
	n := tf.Size
	if t != nil && t.Kind == ast.KInt && t.Size < n {
		n = t.Size
	}
	size := map[int]asm.Size{1: asm.Byte, 2: asm.Half, 4: asm.Word, 8: asm.DWord}[n]
	g.emit(asm.LoadMem(r.reg, asm.R1, int16(tf.Offset), size))
	if t != nil && t.Signed {
		// Loads zero-extend: an unsigned value of the loaded width is
		// complete.
		g.extend(r.reg, t)
	}
	return r
}

func (g *gen) tupleIndexInt(x *ast.TupleIndex) *tmp {
	tt := g.typeOf(x.X)
	if tt == nil || tt.Kind != ast.KTuple || x.N < 0 || x.N >= len(tt.Elems) {
		g.fail(x, "bad tuple index")
		return g.zero()
	}
	off := g.memExpr(x.X)
	f := g.c.field(tt, 0).Elems[x.N]
	r := g.regs.alloc()
	g.emit(asm.LoadMem(r.reg, asm.RFP, off+int16(f.Offset), asm.DWord))
	return r
}
