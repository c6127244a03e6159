package codegen

import (
	"fmt"
	"slices"

	"github.com/gbt-project/gbt/lang/ast"
)

// Warning is a compile-time warning about the script, positioned in it.
// The program is compiled all the same.
type Warning struct {
	Pos, End ast.Pos
	Msg      string
}

// Integer operations whose result depends on how operands of different
// signs are read get bpftrace's warnings, at the operator:
//
//   - arithmetic (+ - * / %) and comparisons of a signed with an unsigned
//     operand: "arithmetic on integers of different signs: 'int64' and
//     'uint64' can lead to undefined behavior" (or "comparison of ...");
//   - / and % with a signed operand, which they read as unsigned:
//     "signed operands for '/' can lead to undefined behavior (cast to
//     unsigned to silence warning)".
//
// Bitwise operations and shifts are not warned about. The checker cannot
// give these warnings: it leaves tracepoint fields untyped (KKernel), and
// only the code generator knows their C types (typeOf).
func (g *gen) signWarnings(x *ast.Binary) {
	lt, rt := g.typeOf(x.X), g.typeOf(x.Y)
	if lt == nil || rt == nil || lt.Kind != ast.KInt || rt.Kind != ast.KInt {
		return
	}
	// A literal that is not negative takes the other operand's sign when
	// the signs are compared, and is unsigned for / and %.
	ls, rs := lt.Signed, rt.Signed
	lu, ru := nonNegativeLiteral(x.X), nonNegativeLiteral(x.Y)
	if lu {
		ls = rs
	}
	if ru {
		rs = ls
	}
	arith := false
	switch x.Op {
	case "+", "-", "*", "/", "%":
		arith = true
	case "==", "!=", "<", "<=", ">", ">=":
	default:
		return
	}
	if ls != rs {
		what := "comparison of"
		if arith {
			what = "arithmetic on"
		}
		g.warn(x, fmt.Sprintf("%s integers of different signs: '%s' and '%s' can lead to undefined behavior", what, lt, rt))
	}
	if (x.Op == "/" || x.Op == "%") && (lt.Signed && !lu || rt.Signed && !ru) {
		g.warn(x, fmt.Sprintf("signed operands for '%s' can lead to undefined behavior (cast to unsigned to silence warning)", x.Op))
	}
}

// nonNegativeLiteral reports whether e is an integer literal: a negative
// one is the literal negated (ast.Unary).
func nonNegativeLiteral(e ast.Expr) bool {
	_, ok := e.(*ast.IntLit)
	return ok
}

// warn records a warning at x's operator, once however often x is emitted
// (a probe with several attach points is compiled once for each).
func (g *gen) warn(x *ast.Binary, msg string) {
	var sp ast.Node = x
	if op, ok := ast.OpSpan(g.c.prog.Src, x.X, x.Y, x.Op); ok {
		sp = op
	}
	w := &Warning{Pos: sp.Pos(), End: sp.End(), Msg: msg}
	o := g.c.obj
	if !slices.ContainsFunc(o.Warnings, func(v *Warning) bool { return *v == *w }) {
		o.Warnings = append(o.Warnings, w)
	}
}

// sortWarnings puts the warnings in the script's order.
func (o *Object) sortWarnings() {
	slices.SortStableFunc(o.Warnings, func(a, b *Warning) int {
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	})
}
