package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// allocVars gives every scratch variable of the probe a stack slot for the
// whole program, sized for the largest value assigned to it.
func (g *gen) allocVars(p *ast.Probe) { g.allocBlockVars(p.Body) }

// allocBlockVars gives slots to the variables assigned in b. The bodies of
// for loops over maps run in callbacks of their own: their variables get
// slots there, except those of the probe, which they copy (callbacks.go)
// and which are sized here for the values the bodies assign too.
func (g *gen) allocBlockVars(b *ast.Block) {
	types := map[string]*ast.Type{}
	var names []string
	var mapLoops []*ast.Block
	inLoop := false
	note := func(v *ast.Var, value ast.Expr) {
		t := v.Type()
		if (t == nil || hasKernel(t)) && value != nil {
			t = g.typeOf(value)
		}
		if t == nil {
			return
		}
		if old, ok := types[v.Name]; !ok {
			if inLoop {
				return
			}
			names = append(names, v.Name)
			types[v.Name] = t
		} else if g.c.sizeOf(t) > g.c.sizeOf(old) {
			types[v.Name] = t
		}
	}
	walk := func(s ast.Stmt) {
		ast.InspectStmts(s, func(s ast.Stmt) bool {
			switch x := s.(type) {
			case *ast.AssignStmt:
				if v, ok := x.Target.(*ast.Var); ok {
					note(v, x.Value)
				}
			case *ast.LetStmt:
				note(x.Var, x.Value)
			case *ast.ForStmt:
				if x.Map != nil {
					mapLoops = append(mapLoops, x.Body)
					return false
				}
				note(x.Var, nil)
			}
			return true
		})
	}
	walk(b)
	inLoop = true
	for _, body := range mapLoops {
		walk(body)
	}
	for _, n := range names {
		t := types[n]
		g.vars[n] = &variable{off: g.stack.alloc(max(8, g.c.sizeOf(t))), typ: t}
	}
}

func (g *gen) block(b *ast.Block) {
	for _, s := range b.Stmts {
		g.stmt(s)
	}
}

// stmt emits one statement; its temporaries are released at its end.
func (g *gen) stmt(s ast.Stmt) {
	g.setSource(s)
	mark := g.stack.mark()
	defer g.stack.release(mark)
	switch x := s.(type) {
	case *ast.Block:
		g.block(x)
	case *ast.ExprStmt:
		g.exprStmt(x.X)
	case *ast.AssignStmt:
		g.assign(x)
	case *ast.LetStmt:
		if x.Value != nil {
			g.assignVar(x.Var, x.Value)
		} else if v := g.vars[x.Var.Name]; v != nil {
			g.zeroFill(v.off, max(8, g.c.sizeOf(v.typ)))
		}
	case *ast.IfStmt:
		elseL, end := g.newLabel("else"), g.newLabel("endif")
		if x.Else == nil {
			elseL = end
		}
		g.condJump(x.Cond, false, elseL)
		g.block(x.Then)
		if x.Else != nil {
			g.emit(asm.Ja.Label(end))
			g.label(elseL)
			g.stmt(x.Else)
		}
		g.label(end)
	case *ast.WhileStmt:
		g.whileStmt(x)
	case *ast.ForStmt:
		g.forStmt(x)
	case *ast.UnrollStmt:
		g.unrollStmt(x)
	case *ast.BreakStmt:
		g.jumpOut(x, true)
	case *ast.ContinueStmt:
		g.jumpOut(x, false)
	case *ast.ReturnStmt:
		if x.Value != nil {
			g.fail(x, "return with a value is not implemented yet")
			return
		}
		g.emit(asm.Ja.Label(g.outLabel()))
	default:
		g.fail(s, "this statement is not implemented yet")
	}
	if n := g.regs.liveCount(); n != 0 && !g.failed {
		// Every emitter frees its temps; a leak is a code generator bug.
		g.fail(s, "internal error: %d registers still live after the statement", n)
	}
}

func (g *gen) exprStmt(e ast.Expr) {
	switch x := e.(type) {
	case *ast.Call:
		em, name := emitterFor(x.Name)
		if em != nil && em.stmt != nil {
			em.stmt(g, x)
			return
		}
		if em != nil && em.agg != nil {
			g.fail(x, "%s() must be assigned to a map", name)
			return
		}
	case *ast.IncDec:
		g.regs.free(g.incDec(x))
		return
	}
	t := g.typeOf(e)
	switch {
	case isScalar(t):
		g.regs.free(g.intExpr(e))
	case isMemory(t):
		g.memExpr(e)
	default:
		if c, ok := e.(*ast.Call); ok {
			_, name := emitterFor(c.Name)
			g.fail(e, "builtin %s is not implemented yet", name)
			return
		}
		g.fail(e, "this expression statement is not implemented yet")
	}
}

func (g *gen) assign(a *ast.AssignStmt) {
	if a.Op != "=" {
		g.compound(a)
		return
	}
	switch t := a.Target.(type) {
	case *ast.Var:
		g.assignVar(t, a.Value)
	case *ast.MapExpr:
		if c, ok := a.Value.(*ast.Call); ok {
			if em, _ := emitterFor(c.Name); em != nil && em.agg != nil {
				em.agg(g, t, c)
				return
			}
			if vt := c.Type(); vt != nil && vt.Kind == ast.KAgg {
				g.fail(c, "builtin %s is not implemented yet", c.Name)
				return
			}
		}
		g.mapAssign(t, a.Value)
	default:
		g.fail(a.Target, "assignment to this target is not implemented yet")
	}
}

func (g *gen) assignVar(v *ast.Var, value ast.Expr) {
	slot := g.vars[v.Name]
	if slot == nil {
		// Its value's type could not be made concrete: reported there
		// (allocVars typed it), unless nothing was.
		if !g.failed {
			g.fail(v, "variable %s has no type", v.Name)
		}
		return
	}
	g.store(value, slot.off, slot.typ)
}

// compound emits `target op= value` on integers.
func (g *gen) compound(a *ast.AssignStmt) {
	op := a.Op[:len(a.Op)-1]
	bin := &ast.Binary{Span: a.Span, Op: op, X: a.Target, Y: a.Value}
	bin.SetType(a.Target.Type())
	if t := g.typeOf(a.Target); !isScalar(t) {
		g.fail(a, "compound assignment to a %s is not implemented yet", t)
		return
	}
	g.storeInt(a.Target, g.binary(bin))
}

// storeInt writes v into an integer variable or map element (v is freed).
func (g *gen) storeInt(target ast.Expr, v *tmp) {
	switch t := target.(type) {
	case *ast.Var:
		slot := g.vars[t.Name]
		if slot == nil {
			g.fail(t, "variable %s has no type", t.Name)
			g.regs.free(v)
			return
		}
		g.storeTmp(slot.off, v)
	case *ast.MapExpr:
		mp := g.scriptMap(t, nil)
		if mp == nil {
			g.regs.free(v)
			return
		}
		key := g.mapKey(t, mp)
		g.mapStoreInt(mp, key, v)
	default:
		g.fail(target, "assignment to this target is not implemented yet")
		g.regs.free(v)
	}
}

// incDec emits ++ and -- on a variable or map element and returns the
// expression's value (the old one for the postfix forms).
func (g *gen) incDec(x *ast.IncDec) *tmp {
	if t := g.typeOf(x.X); !isScalar(t) {
		g.fail(x, "%s on a %s is not implemented yet", x.Op, t)
		return g.zero()
	}
	delta := int32(1)
	if x.Op == "--" {
		delta = -1
	}
	old := g.intExpr(x.X)
	nv := g.regs.alloc()
	rs := g.regs.regs(old, nv)
	g.emit(asm.Mov.Reg(rs[1], rs[0]), asm.Add.Imm(rs[1], delta))
	g.regs.unpin(old, nv)
	g.extend(g.regs.reg(nv), g.typeOf(x.X))
	result := g.regs.alloc()
	rs = g.regs.regs(old, nv, result)
	if x.Post {
		g.emit(asm.Mov.Reg(rs[2], rs[0]))
	} else {
		g.emit(asm.Mov.Reg(rs[2], rs[1]))
	}
	g.regs.unpin(old, nv, result)
	g.regs.free(old)
	g.storeInt(x.X, nv)
	return result
}
