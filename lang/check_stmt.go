package lang

import (
	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/stdlib"
)

// Scratch variables are block scoped, as with bpftrace's `let`: a variable
// assigned (or declared) in a block is visible in that block and the blocks
// nested in it, and not after the block ends. Loop variables belong to the
// loop body.

func (c *checker) push() { c.scopes = append(c.scopes, map[string]*variable{}) }
func (c *checker) pop()  { c.scopes = c.scopes[:len(c.scopes)-1] }

func (c *checker) lookupVar(name string) *variable {
	for i := len(c.scopes) - 1; i >= 0; i-- {
		if v := c.scopes[i][name]; v != nil {
			return v
		}
	}
	return nil
}

func (c *checker) declare(name string, t *ast.Type) *variable {
	v := &variable{typ: t}
	c.scopes[len(c.scopes)-1][name] = v
	return v
}

func (c *checker) block(b *ast.Block) {
	if b == nil {
		return
	}
	c.push()
	c.stmts(b.Stmts)
	c.pop()
}

func (c *checker) stmts(list []ast.Stmt) {
	for _, s := range list {
		c.stmt(s)
	}
}

func (c *checker) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.Block:
		c.block(s)
	case *ast.ExprStmt:
		c.exprStmt(s)
	case *ast.AssignStmt:
		c.assign(s)
	case *ast.LetStmt:
		c.let(s)
	case *ast.IfStmt:
		c.condition(s.Cond, "if")
		c.block(s.Then)
		if s.Else != nil {
			c.push()
			c.stmt(s.Else)
			c.pop()
		}
	case *ast.UnrollStmt:
		t := c.expr(s.Count)
		if n, ok := stdlib.IntValue(s.Count); !ok {
			if t != invalid {
				c.errorf(s.Count, "unroll count must be an integer literal")
			}
		} else if n < 1 || n > 100 {
			c.errorf(s.Count, "unroll count must be between 1 and 100")
		}
		c.block(s.Body)
	case *ast.WhileStmt:
		c.condition(s.Cond, "while")
		c.loops++
		c.block(s.Body)
		c.loops--
	case *ast.ForStmt:
		c.forStmt(s)
	case *ast.BreakStmt:
		if c.loops == 0 {
			c.errorf(s, "break used outside of a loop")
		}
	case *ast.ContinueStmt:
		if c.loops == 0 {
			c.errorf(s, "continue used outside of a loop")
		}
	case *ast.ReturnStmt:
		if s.Value != nil {
			if t := c.expr(s.Value); !storable(t) && t != invalid {
				c.errorf(s.Value, "return value has no value: %s", t)
			}
		}
	}
}

func (c *checker) condition(e ast.Expr, what string) {
	if t := c.expr(e); !truthy(t) {
		c.errorf(e, "invalid condition in %s: %s", what, t)
	}
}

func (c *checker) exprStmt(s *ast.ExprStmt) {
	if call, ok := s.X.(*ast.Call); ok {
		if e := stdlib.Lookup(call.Name); e != nil && e.Kind == stdlib.Aggregation && c.macros[call.Name] == nil {
			c.errorf(call, "%s() should be directly assigned to a map", call.Name)
			c.callArgs(call, e)
			call.SetType(invalid)
			return
		}
	}
	c.expr(s.X)
}

func (c *checker) assign(s *ast.AssignStmt) {
	if call, ok := s.Value.(*ast.Call); ok {
		if e := stdlib.Lookup(call.Name); e != nil && e.Kind == stdlib.Aggregation && c.macros[call.Name] == nil {
			c.aggAssign(s, call, e)
			return
		}
	}
	if s.Op != "=" {
		c.compoundAssign(s)
		return
	}
	t := c.expr(s.Value)
	if !storable(t) && t != invalid {
		c.noValue(s.Value, t)
		t = invalid
	}
	switch target := s.Target.(type) {
	case *ast.MapExpr:
		c.assignMap(target, t)
	case *ast.Var:
		c.assignVar(target, t, c.opSpan(s))
	default:
		c.expr(s.Target)
		c.errorf(s.Target, "not implemented: assignment to this kind of expression (only maps and variables can be assigned)")
	}
}

// noValue reports an expression of type t used as a value it cannot be.
func (c *checker) noValue(e ast.Expr, t *ast.Type) {
	if call, ok := e.(*ast.Call); ok && t.Kind == ast.KNone {
		c.errorf(e, "%s() returns no value", call.Name)
		return
	}
	c.errorf(e, "invalid expression for assignment: value of type '%s'", t)
}

// aggAssign checks `@m[k] = count()`, the one place an aggregation may
// appear.
func (c *checker) aggAssign(s *ast.AssignStmt, call *ast.Call, e *stdlib.Entry) {
	t := c.builtinCall(call, e)
	call.SetType(t)
	m, ok := s.Target.(*ast.MapExpr)
	switch {
	case !ok:
		c.errorf(call, "%s() should be directly assigned to a map", call.Name)
		if v, isVar := s.Target.(*ast.Var); isVar && c.lookupVar(v.Name) == nil {
			c.declare(v.Name, invalid)
			v.SetType(invalid)
		} else {
			c.expr(s.Target)
		}
	case s.Op != "=":
		c.errorf(s, "%s() cannot be used with '%s'; assign it with '='", call.Name, s.Op)
		c.assignMap(m, t)
	default:
		c.assignMap(m, t)
	}
}

func (c *checker) compoundAssign(s *ast.AssignStmt) {
	vt := c.expr(s.Value)
	if !isIntegral(vt) {
		c.errorf(s.Value, "Type mismatch for '%s': expected an integer, got '%s'", s.Op, vt)
	}
	switch target := s.Target.(type) {
	case *ast.MapExpr:
		if mi := c.lookupMap(c.mapName(target)); mi == nil || mi.Value == nil {
			// A map that only compound assignments give a value holds
			// unsigned integers in bpftrace 0.17: `@m -= 2` alone prints
			// 18446744073709551614.
			c.assignMap(target, ast.Int(8, false))
			return
		}
		t := c.readMap(target)
		target.SetType(t)
		if !isIntegral(t) {
			c.errorf(target, "Type mismatch for '%s': %s holds values of type '%s'", s.Op, target.Name, t)
		}
	case *ast.Var:
		t := c.expr(target)
		if !isIntegral(t) {
			c.errorf(target, "Type mismatch for '%s': %s holds values of type '%s'", s.Op, target.Name, t)
		}
	default:
		c.expr(s.Target)
		c.errorf(s.Target, "not implemented: compound assignment to this kind of expression")
	}
}

// opSpan finds the assignment operator of s in the source, between its
// target and its value; it is s's whole span when the source does not
// show it there.
func (c *checker) opSpan(s *ast.AssignStmt) ast.Node {
	if sp, ok := ast.OpSpan(c.prog.Src, s.Target, s.Value, s.Op); ok {
		return sp
	}
	return s
}

// assignVar records that variable v is given a value of type t by the
// assignment whose operator is at op; a value of another type is an error
// there, as bpftrace reports it.
func (c *checker) assignVar(v *ast.Var, t *ast.Type, op ast.Node) {
	sv := c.lookupVar(v.Name)
	if sv == nil {
		c.declare(v.Name, t)
		v.SetType(t)
		return
	}
	if sv.typ == nil {
		sv.typ = t
		v.SetType(t)
		return
	}
	merged, ok := mergeTypes(sv.typ, t)
	if !ok {
		c.errorf(op, "Type mismatch for %s: trying to assign value of type '%s' when variable already contains a value of type '%s'",
			v.Name, t, sv.typ)
		v.SetType(sv.typ)
		return
	}
	sv.typ = merged
	v.SetType(merged)
}

func (c *checker) let(s *ast.LetStmt) {
	var t *ast.Type
	if s.Type != nil {
		t = c.typeExpr(s.Type)
	}
	if s.Value != nil {
		vt := c.expr(s.Value)
		if !storable(vt) && vt != invalid {
			c.noValue(s.Value, vt)
			vt = invalid
		}
		if t == nil {
			t = vt
		} else if _, ok := mergeTypes(t, vt); !ok {
			c.errorf(s.Value, "Type mismatch for %s: trying to assign value of type '%s' to a variable declared as '%s'", s.Var.Name, vt, t)
		}
	}
	if c.scopes[len(c.scopes)-1][s.Var.Name] != nil {
		c.errorf(s.Var, "variable %s is already declared in this scope", s.Var.Name)
	}
	c.declare(s.Var.Name, t)
	if t == nil {
		s.Var.SetType(ast.None())
	} else {
		s.Var.SetType(t)
	}
}

func (c *checker) forStmt(s *ast.ForStmt) {
	var vt *ast.Type
	if s.Map != nil {
		name := c.mapName(s.Map)
		mt := c.wholeMap(s.Map)
		s.Map.SetType(mt)
		if mi := c.lookupMap(name); mi != nil && mi.Value != nil {
			key := mi.Key
			if key == nil {
				c.errorf(s.Map, "%s has no keys to iterate over", name)
				key = invalid
			}
			vt = ast.TupleOf(key, mi.Value)
		} else {
			vt = invalid
		}
	} else {
		lo, hi := c.expr(s.Lo), c.expr(s.Hi)
		for _, x := range []struct {
			e ast.Expr
			t *ast.Type
		}{{s.Lo, lo}, {s.Hi, hi}} {
			if !isIntegral(x.t) {
				c.errorf(x.e, "loop range requires an integer (%s provided)", describe(x.t))
			}
		}
		vt = ast.Int(8, true)
		if lo.Kind == ast.KInt && hi.Kind == ast.KInt {
			vt = ast.Arith(lo, hi)
		}
	}
	c.push()
	c.declare(s.Var.Name, vt)
	s.Var.SetType(vt)
	c.loops++
	c.block(s.Body)
	c.loops--
	c.pop()
}
