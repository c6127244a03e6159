package lang

import (
	"strconv"
	"strings"

	"github.com/gbt-project/gbt/lang/ast"
)

// precedence of the binary operators, as in C; all are left associative.
var precedence = map[string]int{
	"||": 1,
	"&&": 2,
	"|":  3,
	"^":  4,
	"&":  5,
	"==": 6, "!=": 6,
	"<": 7, "<=": 7, ">": 7, ">=": 7,
	"<<": 8, ">>": 8,
	"+": 9, "-": 9,
	"*": 10, "/": 10, "%": 10,
}

func (l *lowerer) expr(g *exprG) ast.Expr {
	xs := []ast.Expr{l.unary(g.X)}
	ops := make([]string, len(g.Ops))
	for i, op := range g.Ops {
		ops[i] = op.Op
		xs = append(xs, l.unary(op.Y))
	}
	next := 0
	var climb func(min int) ast.Expr
	climb = func(min int) ast.Expr {
		lhs := xs[next]
		for next < len(ops) && precedence[ops[next]] >= min {
			op := ops[next]
			next++
			rhs := climb(precedence[op] + 1)
			lhs = &ast.Binary{Span: join(lhs, rhs), Op: op, X: lhs, Y: rhs}
		}
		return lhs
	}
	x := climb(0)
	if g.Then == nil {
		return x
	}
	els := l.expr(g.Else)
	return &ast.Ternary{Span: join(x, els), Cond: x, Then: l.expr(g.Then), Else: els}
}

func (l *lowerer) unary(g *unaryG) ast.Expr {
	sp := l.span(g.Pos, g.Tokens)
	switch {
	case g.Op == "++" || g.Op == "--":
		return &ast.IncDec{Span: sp, Op: g.Op, X: l.unary(g.X)}
	case g.Op != "":
		return &ast.Unary{Span: sp, Op: g.Op, X: l.unary(g.X)}
	}
	return l.postfix(g.Post)
}

func (l *lowerer) postfix(g *postfixG) ast.Expr {
	x := l.primary(g.X)
	for _, op := range g.Ops {
		sp := ast.Span{Start: x.Pos(), Stop: l.span(op.Pos, op.Tokens).Stop}
		switch {
		case op.IncDec != "":
			x = &ast.IncDec{Span: sp, Op: op.IncDec, Post: true, X: x}
		case op.Index != nil:
			if len(op.Index) > 1 {
				l.errorf(l.expr(op.Index[1]), "only maps take several subscripts")
			}
			x = &ast.Index{Span: sp, X: x, I: l.expr(op.Index[0])}
		case op.Name[0] >= '0' && op.Name[0] <= '9':
			n, err := strconv.Atoi(op.Name)
			if err != nil || op.Arrow {
				l.errorf(sp, "invalid tuple index %q", op.Name)
			}
			x = &ast.TupleIndex{Span: sp, X: x, N: n}
		default:
			x = &ast.Field{Span: sp, X: x, Name: op.Name, Arrow: op.Arrow}
		}
	}
	return x
}

func (l *lowerer) primary(g *primaryG) ast.Expr {
	sp := l.span(g.Pos, g.Tokens)
	switch {
	case g.Int != "":
		v, msg := parseInt(g.Int)
		if msg != "" {
			l.errorf(sp, "%s", msg)
		}
		return &ast.IntLit{Span: sp, Value: v, Raw: g.Int}
	case g.Str != "":
		return &ast.StrLit{Span: sp, Value: l.unquote(sp, g.Str), Raw: g.Str}
	case g.Bool != "":
		return &ast.BoolLit{Span: sp, Value: g.Bool == "true"}
	case g.Var != "":
		return &ast.Var{Span: sp, Name: g.Var}
	case g.Positional != "":
		if g.Positional == "$#" {
			return &ast.Positional{Span: sp, Count: true}
		}
		n, err := strconv.Atoi(g.Positional[1:])
		if err != nil {
			l.errorf(sp, "invalid positional parameter %s", g.Positional)
		}
		return &ast.Positional{Span: sp, N: n}
	case g.Map != nil:
		m := &ast.MapExpr{Span: sp, Name: g.Map.Name}
		for _, k := range g.Map.Keys {
			m.Keys = append(m.Keys, l.expr(k))
		}
		return m
	case g.Ident != nil && !g.Ident.Call:
		return &ast.Ident{Span: sp, Name: g.Ident.Name}
	case g.Ident != nil:
		c := &ast.Call{Span: sp, Name: g.Ident.Name, NameEnd: l.p.sc.pos(g.Pos.Offset + len(g.Ident.Name))}
		for _, a := range g.Ident.Args {
			if a.Type != nil {
				c.Args = append(c.Args, l.typeExpr(a.Type))
			} else {
				c.Args = append(c.Args, l.expr(a.Expr))
			}
		}
		return c
	case g.Cast != nil:
		return &ast.Cast{Span: sp, To: l.typeExpr(g.Cast), X: l.unary(g.CastX)}
	}
	if len(g.Paren) == 1 {
		return l.expr(g.Paren[0])
	}
	t := &ast.Tuple{Span: sp}
	for _, e := range g.Paren {
		t.Elems = append(t.Elems, l.expr(e))
	}
	return t
}

func (l *lowerer) typeExpr(g *typeG) *ast.TypeExpr {
	t := &ast.TypeExpr{Span: l.span(g.Pos, g.Tokens), Ptr: len(g.Stars)}
	if g.Tag != "" {
		t.Name = g.Tag + " " + g.Name
	} else {
		t.Name = strings.Join(g.Words, " ")
	}
	if g.Array != "" {
		n, msg := parseInt(g.Array)
		if msg == "" && (n == 0 || n > 1<<20) {
			msg = "an array type needs a length from 1 to 1048576"
		}
		if msg != "" {
			l.errorf(t, "%s", msg)
		}
		t.Array = int(n)
	}
	return t
}
