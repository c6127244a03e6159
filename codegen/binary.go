package codegen

import (
	"math"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/stdlib"
)

var aluOps = map[string]asm.ALUOp{
	"+": asm.Add, "-": asm.Sub, "*": asm.Mul, "/": asm.Div, "%": asm.Mod,
	"&": asm.And, "|": asm.Or, "^": asm.Xor, "<<": asm.LSh, ">>": asm.RSh,
}

// Comparison jumps: unsigned and signed.
var cmpOps = map[string][2]asm.JumpOp{
	"==": {asm.JEq, asm.JEq}, "!=": {asm.JNE, asm.JNE},
	"<": {asm.JLT, asm.JSLT}, "<=": {asm.JLE, asm.JSLE},
	">": {asm.JGT, asm.JSGT}, ">=": {asm.JGE, asm.JSGE},
}

var negated = map[string]string{"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}

// immOf returns e's value when it is an integer literal (or a negated one)
// that fits an instruction's 32-bit immediate.
func immOf(e ast.Expr) (int32, bool) {
	if v, ok := stdlib.IntValue(e); ok && v >= math.MinInt32 && v <= math.MaxInt32 {
		return int32(v), true
	}
	return 0, false
}

func (g *gen) binary(x *ast.Binary) *tmp {
	if _, ok := cmpOps[x.Op]; ok || x.Op == "&&" || x.Op == "||" {
		return g.boolValue(x)
	}
	op, ok := aluOps[x.Op]
	if !ok {
		g.fail(x, "operator %s is not implemented yet", x.Op)
		return g.zero()
	}
	g.signWarnings(x)
	// As in bpftrace, / % and >> are unsigned 64-bit operations whatever
	// the operands' signs: -7 / 2 == 0x7ffffffffffffffc.
	a := g.intExpr(x.X)
	if imm, ok := immOf(x.Y); ok {
		r := g.regs.reg(a)
		switch {
		case (op == asm.Div || op == asm.Mod) && imm == 0:
			// Division and modulo by zero give 1 and a warning, as in
			// current bpftrace.
			g.emit(asm.Mov.Imm(r, 1))
			g.runtimeError(x, DivideByZeroMsg)
		case (op == asm.Div || op == asm.Mod) && imm < 0:
			// Unsigned division by a negative literal: the divisor
			// is the 64-bit two's complement, which needs a register.
			b := g.constant(int64(imm))
			rs := g.regs.regs(a, b)
			g.emit(op.Reg(rs[0], rs[1]))
			g.regs.unpin(a, b)
			g.regs.free(b)
		default:
			g.emit(op.Imm(r, imm))
		}
	} else {
		b := g.intExpr(x.Y)
		rs := g.regs.regs(a, b)
		if op == asm.Div || op == asm.Mod {
			// A zero divisor gives 1 and a warning (current
			// bpftrace); the kernel would give 0 or the dividend.
			// The warning's helper call leaves the temps alone: they
			// live in R6-R9.
			zero, done := g.newLabel("divzero"), g.newLabel("divdone")
			g.emit(asm.JEq.Imm(rs[1], 0, zero), op.Reg(rs[0], rs[1]), asm.Ja.Label(done))
			g.label(zero)
			g.emit(asm.Mov.Imm(rs[0], 1))
			g.runtimeError(x, DivideByZeroMsg)
			g.label(done)
		} else {
			g.emit(op.Reg(rs[0], rs[1]))
		}
		g.regs.unpin(a, b)
		g.regs.free(b)
	}
	g.extend(g.regs.reg(a), g.typeOf(x))
	return a
}

// boolValue materializes a condition as 0 or 1.
func (g *gen) boolValue(e ast.Expr) *tmp {
	res := g.branchResult()
	g.flush()
	yes, end := g.newLabel("true"), g.newLabel("end")
	g.condJump(e, true, yes)
	g.emit(storeImm(asm.RFP, res.slot, 0, asm.DWord), asm.Ja.Label(end))
	g.label(yes)
	g.emit(storeImm(asm.RFP, res.slot, 1, asm.DWord))
	g.label(end)
	return res
}

func (g *gen) unary(x *ast.Unary) *tmp {
	switch x.Op {
	case "!":
		return g.boolValue(x)
	case "-":
		if n, ok := stdlib.IntValue(x); ok {
			return g.constant(n)
		}
		v := g.intExpr(x.X)
		r := g.regs.reg(v)
		g.emit(asm.Neg.Imm(r, 0))
		g.extend(r, g.typeOf(x))
		return v
	case "~":
		v := g.intExpr(x.X)
		r := g.regs.reg(v)
		g.emit(asm.Xor.Imm(r, -1))
		g.extend(r, g.typeOf(x))
		return v
	}
	g.fail(x, "operator %s is not implemented yet", x.Op)
	return g.zero()
}

// condJump jumps to label when e's truth equals when; otherwise it falls
// through. Its callers have flushed the live temps where it matters.
func (g *gen) condJump(e ast.Expr, when bool, label string) {
	switch x := e.(type) {
	case *ast.Binary:
		switch x.Op {
		case "&&", "||":
			g.flush()
			// a && b jumps on true when both are true, on false when
			// either is false; || is the mirror image.
			and := x.Op == "&&"
			if and == when {
				skip := g.newLabel("skip")
				g.condJump(x.X, !when, skip)
				g.condJump(x.Y, when, label)
				g.label(skip)
			} else {
				g.condJump(x.X, when, label)
				g.condJump(x.Y, when, label)
			}
			return
		}
		if _, ok := cmpOps[x.Op]; ok {
			g.compare(x, when, label)
			return
		}
	case *ast.Unary:
		if x.Op == "!" {
			g.condJump(x.X, !when, label)
			return
		}
	case *ast.BoolLit:
		if x.Value == when {
			g.emit(asm.Ja.Label(label))
		}
		return
	}
	// A constant condition (while (1)) is decided here, so that the
	// verifier sees a loop without a test rather than a test of a
	// register it must track through every iteration.
	if n, ok := stdlib.IntValue(e); ok {
		if (n != 0) == when {
			g.emit(asm.Ja.Label(label))
		}
		return
	}
	v := g.intExpr(e)
	op := asm.JEq
	if when {
		op = asm.JNE
	}
	g.emit(op.Imm(g.regs.reg(v), 0, label))
	g.regs.free(v)
}

func (g *gen) compare(x *ast.Binary, when bool, label string) {
	opName := x.Op
	if !when {
		opName = negated[opName]
	}
	lt, rt := g.typeOf(x.X), g.typeOf(x.Y)
	if isMemory(lt) || isMemory(rt) {
		if lt == nil || rt == nil || lt.Kind != ast.KString || rt.Kind != ast.KString || (x.Op != "==" && x.Op != "!=") {
			g.fail(x, "comparison %s between %s and %s is not implemented yet", x.Op, lt, rt)
			return
		}
		g.strCompare(x.X, x.Y, opName == "==", 0, label)
		return
	}
	g.signWarnings(x)
	signed := 0
	if lt != nil && rt != nil && lt.Signed && rt.Signed {
		signed = 1
	}
	op := cmpOps[opName][signed]
	a := g.intExpr(x.X)
	// A jump's immediate is sign-extended to 64 bits, like the literal
	// it comes from, so it serves signed and unsigned comparisons alike.
	if imm, ok := immOf(x.Y); ok {
		g.emit(op.Imm(g.regs.reg(a), imm, label))
		g.regs.free(a)
		return
	}
	b := g.intExpr(x.Y)
	rs := g.regs.regs(a, b)
	g.emit(op.Reg(rs[0], rs[1], label))
	g.regs.unpin(a, b)
	g.regs.free(a)
	g.regs.free(b)
}

// strCompare jumps to label when the strings are equal (eq) or differ
// (!eq). Strings compare up to their first NUL, as in bpftrace, and up to
// limit bytes when limit > 0.
func (g *gen) strCompare(x, y ast.Expr, eq bool, limit int, label string) {
	if _, ok := x.(*ast.StrLit); ok {
		x, y = y, x
	}
	xt := g.typeOf(x)
	a := g.memExpr(x)
	equal, differ := label, g.newLabel("strne")
	if !eq {
		equal, differ = g.newLabel("streq"), label
	}
	n := g.c.strSize(xt)
	if limit > 0 && limit < n {
		n = limit
	}
	if lit, ok := y.(*ast.StrLit); ok {
		// Against a literal: compare byte by byte up to and including
		// the literal's NUL (when it fits).
		s := lit.Value
		for i := 0; i < n; i++ {
			var c int32
			if i < len(s) {
				c = int32(s[i])
			}
			g.emit(asm.LoadMem(asm.R1, asm.RFP, a+int16(i), asm.Byte), asm.JNE.Imm(asm.R1, c, differ))
			if i >= len(s) {
				break
			}
		}
	} else {
		b := g.memExpr(y)
		if m := g.c.strSize(g.typeOf(y)); m < n {
			n = m
		}
		for i := 0; i < n; i++ {
			g.emit(asm.LoadMem(asm.R1, asm.RFP, a+int16(i), asm.Byte),
				asm.LoadMem(asm.R2, asm.RFP, b+int16(i), asm.Byte),
				asm.JNE.Reg(asm.R1, asm.R2, differ),
				asm.JEq.Imm(asm.R1, 0, equal))
		}
	}
	// Every compared byte was equal.
	g.emit(asm.Ja.Label(equal))
	if eq {
		g.label(differ)
	} else {
		g.label(equal)
	}
}

// runtimeError sends an EventRuntimeError record for the site n, whose
// warning user space prints each time (Object.RuntimeErrors). It uses
// R0-R5 and the stack only.
func (g *gen) runtimeError(n ast.Node, msg string) {
	o := g.c.obj
	d := &ast.Diagnostic{File: o.File, Pos: n.Pos(), End: n.End(), Msg: msg, Warning: true}
	o.RuntimeErrors = append(o.RuntimeErrors, &RuntimeError{Pos: n.Pos(), End: n.End(), Msg: msg, Text: d.Render(g.c.prog.Src)})
	g.event(EventRuntimeError, uint32(len(o.RuntimeErrors)-1))
}
