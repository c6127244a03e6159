package lang

import (
	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/stdlib"
)

// expr types e, records the type on the node and returns it.
func (c *checker) expr(e ast.Expr) *ast.Type {
	t := c.exprType(e)
	if t == nil {
		t = invalid
	}
	e.SetType(t)
	return t
}

func (c *checker) exprType(e ast.Expr) *ast.Type {
	switch x := e.(type) {
	case *ast.IntLit:
		return ast.Int(8, true)
	case *ast.StrLit:
		return ast.String(len(x.Value) + 1)
	case *ast.BoolLit:
		return ast.Bool()
	case *ast.Positional:
		return c.positionalType(x)
	case *ast.Var:
		return c.varRef(x)
	case *ast.MapExpr:
		return c.readMap(x)
	case *ast.Ident:
		return c.ident(x)
	case *ast.Call:
		return c.call(x)
	case *ast.Binary:
		return c.binary(x)
	case *ast.Unary:
		return c.unary(x)
	case *ast.IncDec:
		return c.incDec(x)
	case *ast.Ternary:
		return c.ternary(x)
	case *ast.Cast:
		return c.cast(x)
	case *ast.Field:
		return c.field(x)
	case *ast.Index:
		return c.index(x)
	case *ast.Tuple:
		elems := make([]*ast.Type, len(x.Elems))
		for i, el := range x.Elems {
			elems[i] = c.expr(el)
			if !storable(elems[i]) && elems[i] != invalid {
				c.errorf(el, "invalid tuple element of type '%s'", elems[i])
			}
		}
		return ast.TupleOf(elems...)
	case *ast.TupleIndex:
		t := c.expr(x.X)
		switch {
		case t.Kind == ast.KKernel:
			return t
		case t.Kind != ast.KTuple:
			c.errorf(x, "cannot index a value of type '%s' with .%d; only tuples have numbered fields", t, x.N)
		case x.N < 0 || x.N >= len(t.Elems):
			c.errorf(x, "tuple index %d out of range for a tuple of %d elements", x.N, len(t.Elems))
		default:
			return t.Elems[x.N]
		}
		return invalid
	case *ast.TypeExpr:
		c.typeExpr(x)
		c.errorf(x, "a type can only be used in a cast, sizeof or offsetof")
		return invalid
	}
	return invalid
}

func (c *checker) varRef(v *ast.Var) *ast.Type {
	sv := c.lookupVar(v.Name)
	if sv == nil {
		c.errorf(v, "Undefined or undeclared variable: %s", v.Name)
		return invalid
	}
	if sv.typ == nil {
		c.errorf(v, "Variable used before it was assigned: %s", v.Name)
		return invalid
	}
	return sv.typ
}

func (c *checker) ident(id *ast.Ident) *ast.Type {
	if v := c.lookupVar(id.Name); v != nil && v.typ != nil {
		return v.typ // a bare-name macro parameter
	}
	if t, ok := c.defines[id.Name]; ok {
		return t
	}
	e := stdlib.Lookup(id.Name)
	if e == nil || e.Kind != stdlib.Variable {
		d := c.errorf(id, "Unknown identifier: '%s'", id.Name)
		if e != nil {
			d.Hint = "'" + id.Name + "' is a function: call it as " + id.Name + "()"
		} else if s := stdlib.ClosestBuiltin(id.Name, stdlib.Variable); s != "" {
			d.Hint = "did you mean '" + s + "'?"
		}
		return invalid
	}
	if n, ok := stdlib.ArgIndex(id.Name); ok && n > 5 && c.probeKind() != "usdt" && c.probeKind() != "rawtracepoint" {
		c.errorf(id, "x86_64 doesn't support %s (functions take at most 6 register arguments)", id.Name)
	}
	c.allowedIn(id, e, "The "+id.Name+" builtin")
	return c.result(id, e, &stdlib.Ctx{MaxStrLen: c.opts.MaxStrLen, ProbeKind: c.probeKind()})
}

// allowedIn checks that every probe kind of the current probe allows e.
func (c *checker) allowedIn(n ast.Node, e *stdlib.Entry, what string) {
	for _, kind := range c.kinds {
		if e.Allows(kind) {
			continue
		}
		d := c.errorf(n, "%s can only be used with %s probes", what, quoteList(e.Probes))
		if e.Name == "retval" && kind == "tracepoint" {
			d.Hint = "try args.ret instead"
		} else if (e.Name == "argN" || e.Name == "retval") && kind == "tracepoint" {
			d.Hint = "tracepoints name their arguments: use args.<field>"
		}
		return
	}
}

func quoteList(items []string) string {
	out := ""
	for i, s := range items {
		switch {
		case i == 0:
		case i == len(items)-1:
			out += " and "
		default:
			out += ", "
		}
		out += "'" + s + "'"
	}
	return out
}

// result runs an entry's type rule and reports its error.
func (c *checker) result(n ast.Node, e *stdlib.Entry, ctx *stdlib.Ctx) *ast.Type {
	if e.Result == nil {
		return ast.None()
	}
	t, err := e.Result(ctx)
	if err != nil {
		var at ast.Node = n
		if ae, ok := err.(*stdlib.ArgError); ok && ae.Arg < len(ctx.Exprs) {
			at = ctx.Exprs[ae.Arg]
		}
		c.errorf(at, "%s", err.Error())
		return invalid
	}
	return t
}

// truthy reports whether t can be a condition.
func truthy(t *ast.Type) bool {
	return t.IsInteger() || t.Kind == ast.KPointer || t.Kind == ast.KKernel
}

// isIntegral reports whether t takes part in arithmetic as an integer.
func isIntegral(t *ast.Type) bool { return t.IsInteger() || t.Kind == ast.KKernel }

// describe names a type's kind for "(string provided)" messages.
func describe(t *ast.Type) string {
	switch t.Kind {
	case ast.KInt, ast.KBool:
		return "integer"
	case ast.KString:
		return "string"
	case ast.KPointer:
		return "pointer"
	case ast.KBuffer:
		return "buffer"
	case ast.KTuple:
		return "tuple"
	case ast.KMap:
		return "map"
	case ast.KKernel:
		return "kernel value"
	}
	return t.String()
}

func (c *checker) binary(b *ast.Binary) *ast.Type {
	x, y := c.expr(b.X), c.expr(b.Y)
	if x == invalid || y == invalid {
		if b.Op == "&&" || b.Op == "||" || isComparison(b.Op) {
			return ast.Bool()
		}
		return invalid
	}
	mismatch := func() *ast.Type {
		c.errorf(b, "Type mismatch for '%s': comparing '%s' with '%s'", b.Op, x, y)
		return invalid
	}
	switch {
	case b.Op == "&&" || b.Op == "||":
		if !truthy(x) {
			c.errorf(b.X, "invalid type for '%s': %s", b.Op, x)
		}
		if !truthy(y) {
			c.errorf(b.Y, "invalid type for '%s': %s", b.Op, y)
		}
		return ast.Bool()
	case isComparison(b.Op):
		switch {
		case x.Kind == ast.KKernel || y.Kind == ast.KKernel:
		case isIntegral(x) && isIntegral(y):
		case x.Kind == ast.KPointer && (y.Kind == ast.KPointer || isIntegral(y)),
			y.Kind == ast.KPointer && isIntegral(x):
		case x.Kind == ast.KString && y.Kind == ast.KString:
			if b.Op != "==" && b.Op != "!=" {
				c.errorf(b, "strings can only be compared with == and != (not '%s')", b.Op)
			}
		default:
			mismatch()
		}
		return ast.Bool()
	case x.Kind == ast.KPointer && isIntegral(y) && (b.Op == "+" || b.Op == "-"):
		return x
	case y.Kind == ast.KPointer && isIntegral(x) && b.Op == "+":
		return y
	case isIntegral(x) && isIntegral(y):
		return ast.Arith(x, y)
	}
	return mismatch()
}

func isComparison(op string) bool {
	switch op {
	case "==", "!=", "<", "<=", ">", ">=":
		return true
	}
	return false
}

func (c *checker) unary(u *ast.Unary) *ast.Type {
	t := c.expr(u.X)
	if t == invalid {
		return invalid
	}
	switch u.Op {
	case "!":
		if !truthy(t) {
			c.errorf(u, "invalid type for '!': %s", t)
		}
		return ast.Bool()
	case "-", "~":
		if !isIntegral(t) {
			c.errorf(u, "invalid type for '%s': %s", u.Op, t)
			return invalid
		}
		return ast.Arith(t, t)
	case "*":
		switch {
		case t.Kind == ast.KPointer:
			if t.Elem == nil || t.Elem.Kind == ast.KRecord {
				return &ast.Type{Kind: ast.KKernel}
			}
			return t.Elem
		case t.Kind == ast.KKernel:
			return t
		case t.IsInteger():
			return ast.Int(8, false)
		}
		c.errorf(u, "cannot dereference a value of type '%s'", t)
		return invalid
	case "&":
		return &ast.Type{Kind: ast.KPointer, Size: 8, Elem: t}
	}
	c.errorf(u, "unknown unary operator '%s'", u.Op)
	return invalid
}

func (c *checker) incDec(x *ast.IncDec) *ast.Type {
	switch target := x.X.(type) {
	case *ast.MapExpr:
		if mi := c.lookupMap(c.mapName(target)); mi == nil || mi.Value == nil {
			c.assignMap(target, ast.Int(8, true))
			return ast.Int(8, true)
		}
	case *ast.Var:
	default:
		c.expr(x.X)
		c.errorf(x, "'%s' needs a map or a variable", x.Op)
		return invalid
	}
	t := c.expr(x.X)
	if !isIntegral(t) {
		c.errorf(x, "'%s' needs an integer, not '%s'", x.Op, t)
		return invalid
	}
	return t
}

func (c *checker) ternary(t *ast.Ternary) *ast.Type {
	if ct := c.expr(t.Cond); !truthy(ct) {
		c.errorf(t.Cond, "invalid condition in ternary: %s", ct)
	}
	x, y := c.expr(t.Then), c.expr(t.Else)
	if x.Kind == ast.KNone && y.Kind == ast.KNone {
		return ast.None()
	}
	if merged, ok := mergeTypes(x, y); ok && storable(merged) {
		return merged
	}
	c.errorf(t, "Ternary operator must return the same type: have '%s' and '%s'", describe(x), describe(y))
	return invalid
}
