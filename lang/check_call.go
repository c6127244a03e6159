package lang

import (
	"fmt"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/stdlib"
)

// nameSpan covers a call's name, for diagnostics about the name itself.
func nameSpan(x *ast.Call) ast.Node {
	if !x.NameEnd.IsValid() {
		return x
	}
	return ast.Span{Start: x.Pos(), Stop: x.NameEnd}
}

// call types a call of a macro or a builtin.
func (c *checker) call(x *ast.Call) *ast.Type {
	if m := c.macros[x.Name]; m != nil {
		return c.macroCall(x, m)
	}
	e := stdlib.Lookup(x.Name)
	if e == nil || !e.Callable() {
		d := c.errorf(nameSpan(x), "Unknown function: %s", x.Name)
		if e != nil {
			d.Hint = "'" + x.Name + "' is a builtin variable: write it without parentheses"
		} else if s := stdlib.ClosestBuiltin(x.Name, stdlib.Function); s != "" {
			d.Hint = "did you mean '" + s + "'?"
		}
		for _, a := range x.Args {
			c.expr(a)
		}
		return invalid
	}
	if e.Kind == stdlib.Aggregation {
		c.errorf(x, "%s() should be directly assigned to a map", x.Name)
		c.callArgs(x, e)
		return invalid
	}
	return c.builtinCall(x, e)
}

// builtinCall checks a call of a builtin function, aggregation or
// parameterised variable (kstack(perf)) and returns its result type.
func (c *checker) builtinCall(x *ast.Call, e *stdlib.Entry) *ast.Type {
	if e.Unsafe && !c.opts.Unsafe {
		d := c.errorf(x, "%s() is an unsafe function being used in safe mode", x.Name)
		d.Hint = "run gbt with --unsafe to allow it"
	}
	args := c.callArgs(x, e)
	n, lo, hi := len(x.Args), e.MinArgs, e.MaxArgs()
	if n < lo || (hi >= 0 && n > hi) {
		c.errorf(x, "%s() requires %s (%d provided)", x.Name, argCount(lo, hi), n)
		return invalid
	}
	c.allowedIn(x, e, x.Name+"()")
	ok := true
	for i, a := range x.Args {
		if e.Name == "printf" || e.Name == "cat" || e.Name == "system" {
			break // checked against the format below
		}
		if !c.accepts(e.ParamAccept(i), a, args[i]) {
			c.errorf(a, "%s", argMismatch(x.Name, e, i, args[i]))
			ok = false
		}
	}
	if !ok {
		return invalid
	}
	switch e.Name {
	case "printf", "cat", "system":
		c.format(x, args)
	case "clear", "zero":
		if m, isMap := x.Args[0].(*ast.MapExpr); isMap && m.Keys != nil {
			c.errorf(x, "The map passed to %s() should not be indexed by a key", x.Name)
		}
	}
	if e.Statement {
		return ast.None()
	}
	return c.result(x, e, &stdlib.Ctx{Args: args, Exprs: x.Args, MaxStrLen: c.opts.MaxStrLen, ProbeKind: c.probeKind()})
}

func argCount(lo, hi int) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	switch {
	case hi == 0:
		return "no arguments"
	case hi < 0:
		return "at least " + plural(lo)
	case lo == hi:
		return plural(lo)
	case hi == lo+1:
		return fmt.Sprintf("%d or %s", lo, plural(hi))
	}
	return fmt.Sprintf("%d to %s", lo, plural(hi))
}

func argMismatch(fn string, e *stdlib.Entry, i int, t *ast.Type) string {
	name := fmt.Sprintf("argument %d", i+1)
	if i < len(e.Params) {
		name = "'" + e.Params[i].Name + "'"
	}
	want := e.ParamAccept(i).Describe()
	article := "a "
	if want != "" && (want[0] == 'a' || want[0] == 'i' || want[0] == 'e' || want[0] == 'o' || want[0] == 'u') {
		article = "an "
	}
	return fmt.Sprintf("%s(): %s must be %s%s (%s provided)", fn, name, article, want, describe(t))
}

// callArgs types the arguments of a builtin call, each as its parameter
// wants it: a whole map, a map element, a type, a bare identifier or a
// value.
func (c *checker) callArgs(x *ast.Call, e *stdlib.Entry) []*ast.Type {
	types := make([]*ast.Type, len(x.Args))
	for i, a := range x.Args {
		acc := e.ParamAccept(i)
		t := c.callArg(a, acc, i+1 < len(x.Args) && e.ParamAccept(i+1)&stdlib.Key != 0)
		if acc&stdlib.Key != 0 && i > 0 {
			if m, ok := x.Args[i-1].(*ast.MapExpr); ok && m.Keys == nil && types[i-1] != invalid && t != invalid {
				c.useKey(m, c.mapName(m), t)
			}
		}
		a.SetType(t)
		types[i] = t
	}
	return types
}

func (c *checker) callArg(a ast.Expr, acc stdlib.Accept, keyFollows bool) *ast.Type {
	switch x := a.(type) {
	case *ast.MapExpr:
		whole := acc&stdlib.Map != 0 && x.Keys == nil && (acc&stdlib.MapElem == 0 || keyFollows)
		if acc&stdlib.Map != 0 && acc&(stdlib.MapElem|stdlib.Value) == 0 && x.Keys != nil {
			c.keyType(x)
			return c.wholeMap(x)
		}
		if whole {
			return c.wholeMap(x)
		}
	case *ast.TypeExpr:
		if acc&stdlib.TypeName != 0 {
			return c.typeExpr(x)
		}
	case *ast.Ident:
		if acc&stdlib.Ident != 0 && acc&stdlib.TypeName == 0 {
			return ast.None()
		}
		if acc&stdlib.TypeName != 0 && stdlib.Lookup(x.Name) == nil && c.defines[x.Name] == nil {
			return &ast.Type{Kind: ast.KType, Name: x.Name}
		}
	case *ast.Field:
		// A parameter that takes only a name (offsetof's member) also
		// takes a path of names into embedded members: a.b.c.
		if acc == stdlib.Ident {
			if isMemberPath(x) {
				return ast.None()
			}
			c.errorf(x, "expected a member name or a path of names joined by '.', such as a.b")
			return invalid
		}
	}
	return c.expr(a)
}

// isMemberPath reports whether e is a name or names joined by '.' (a.b.c).
func isMemberPath(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return true
	case *ast.Field:
		return !x.Arrow && isMemberPath(x.X)
	}
	return false
}

// accepts reports whether argument a of type t fits the accepted forms.
func (c *checker) accepts(acc stdlib.Accept, a ast.Expr, t *ast.Type) bool {
	if t == invalid {
		return true
	}
	if isMemberPath(a) && acc&stdlib.Ident != 0 && t.Kind == ast.KNone {
		return true
	}
	if acc&stdlib.Literal != 0 && !isLiteral(a) {
		return false
	}
	switch {
	case acc&stdlib.Key != 0:
		return storable(t)
	case t.Kind == ast.KMap:
		return acc&stdlib.Map != 0
	case acc&stdlib.MapElem != 0 && isMapExpr(a):
		return storable(t)
	case acc&stdlib.Value != 0 && storable(t):
		return true
	case t.Kind == ast.KKernel:
		return acc&(stdlib.Int|stdlib.Str|stdlib.Ptr|stdlib.Buf) != 0
	case t.IsInteger():
		return acc&stdlib.Int != 0
	case t.Kind == ast.KString:
		return acc&stdlib.Str != 0
	case t.Kind == ast.KPointer:
		return acc&stdlib.Ptr != 0
	case t.Kind == ast.KBuffer:
		return acc&stdlib.Buf != 0
	case t.Kind == ast.KStack:
		return acc&stdlib.Stack != 0
	case t.Kind == ast.KMap:
		return acc&stdlib.Map != 0
	case t.Kind == ast.KType:
		return acc&stdlib.TypeName != 0
	}
	return acc&stdlib.MapElem != 0 && isMapExpr(a) && storable(t)
}

func isMapExpr(e ast.Expr) bool { _, ok := e.(*ast.MapExpr); return ok }

// isLiteral reports whether e is written as a literal (positional
// parameters count: their values are known before compiling).
func isLiteral(e ast.Expr) bool {
	switch e.(type) {
	case *ast.IntLit, *ast.StrLit, *ast.BoolLit, *ast.Positional:
		return true
	}
	_, ok := stdlib.IntValue(e)
	return ok
}

// format checks the arguments of printf, cat and system against their
// format string.
func (c *checker) format(x *ast.Call, args []*ast.Type) {
	lit, ok := x.Args[0].(*ast.StrLit)
	if !ok {
		if args[0] != invalid {
			c.errorf(x.Args[0], "%s() expects a string literal (%s provided)", x.Name, describe(args[0]))
		}
		return
	}
	verbs, err := stdlib.ParseFormat(lit.Value)
	if err != nil {
		c.errorf(lit, "%s", err.Error())
		return
	}
	rest := x.Args[1:]
	if len(rest) < len(verbs) {
		c.errorf(x, "%s: Not enough arguments for format string (%d supplied, %d expected)", x.Name, len(rest), len(verbs))
		return
	}
	if len(rest) > len(verbs) {
		c.errorf(x, "%s: Too many arguments for format string (%d supplied, %d expected)", x.Name, len(rest), len(verbs))
		return
	}
	for i, v := range verbs {
		t := args[i+1]
		if t == invalid {
			continue
		}
		if !storable(t) {
			c.errorf(rest[i], "%s: argument %d has no value (%s)", x.Name, i+2, t)
			continue
		}
		if !verbAccepts(v, t) {
			want := v.Accepts().Describe()
			if v.Conv == "s" {
				want = "string"
			}
			c.errorf(rest[i], "%s: %%%s specifier expects a value of type %s (%s supplied)", x.Name, v.Conv, want, describe(t))
		}
	}
}

func verbAccepts(v stdlib.Verb, t *ast.Type) bool {
	acc := v.Accepts()
	switch {
	case t.Kind == ast.KKernel:
		return true
	case acc&stdlib.Value != 0:
		return !t.IsInteger() && t.Kind != ast.KPointer
	case t.IsInteger():
		return acc&stdlib.Int != 0
	case t.Kind == ast.KPointer:
		return acc&stdlib.Ptr != 0 || acc&stdlib.Int != 0
	case t.Kind == ast.KBuffer:
		return acc&stdlib.Buf != 0
	case t.Kind == ast.KString:
		return acc&stdlib.Str != 0
	}
	return false
}

// macroCall checks a call of a script macro by checking its body with the
// parameters bound: $x parameters and bare names to the arguments' values,
// @m parameters to the caller's maps. The value of the call is the value of
// the body's last expression statement.
func (c *checker) macroCall(x *ast.Call, m *ast.Macro) *ast.Type {
	if len(x.Args) != len(m.Params) {
		c.errorf(x, "macro %s() requires %s (%d provided)", m.Name, argCount(len(m.Params), len(m.Params)), len(x.Args))
		return invalid
	}
	if c.macroDepth >= 8 {
		c.errorf(x, "macro %s() expands too deeply (recursive macro?)", m.Name)
		return invalid
	}
	alias := map[string]string{}
	for k, v := range c.mapAlias {
		alias[k] = v
	}
	frame := map[string]*variable{}
	for i, p := range m.Params {
		a := x.Args[i]
		if len(p) > 0 && p[0] == '@' {
			mx, ok := a.(*ast.MapExpr)
			if !ok || mx.Keys != nil {
				c.expr(a)
				c.errorf(a, "macro parameter %s needs a map (without a key)", p)
				continue
			}
			alias[p] = c.mapName(mx)
			a.SetType(&ast.Type{Kind: ast.KMap, Name: alias[p]})
			continue
		}
		frame[p] = &variable{typ: c.expr(a)}
	}
	savedScopes, savedAlias, savedLoops := c.scopes, c.mapAlias, c.loops
	c.scopes, c.mapAlias, c.loops = []map[string]*variable{frame}, alias, 0
	c.macroDepth++
	result := ast.None()
	if m.Body != nil {
		for i, s := range m.Body.Stmts {
			if es, ok := s.(*ast.ExprStmt); ok && i == len(m.Body.Stmts)-1 {
				result = c.expr(es.X)
				continue
			}
			c.stmt(s)
		}
	}
	c.macroDepth--
	c.scopes, c.mapAlias, c.loops = savedScopes, savedAlias, savedLoops
	return result
}
