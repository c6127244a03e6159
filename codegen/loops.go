package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/stdlib"
)

// Loops. while and for-range loops are backward jumps, which the kernel's
// verifier accepts when it can prove they end (a bounded condition);
// unroll repeats its body. break and continue jump to the innermost loop's
// labels. Statements never leave temps live, so the registers are alike on
// every path into a loop's head.

// loop is the jump targets of the innermost loop.
type loop struct{ cont, brk string }

// maxUnroll bounds unroll's count, as bpftrace does.
const maxUnroll = 100

func (g *gen) whileStmt(x *ast.WhileStmt) {
	head, end := g.newLabel("while"), g.newLabel("wend")
	g.label(head)
	g.condJump(x.Cond, false, end)
	g.loopBody(x.Body, loop{cont: head, brk: end})
	g.emit(asm.Ja.Label(head))
	g.label(end)
}

func (g *gen) forStmt(x *ast.ForStmt) {
	if x.Map != nil {
		g.forMapStmt(x)
		return
	}
	v := g.vars[x.Var.Name]
	if v == nil {
		g.fail(x.Var, "variable %s has no type", x.Var.Name)
		return
	}
	// The bound is evaluated once, before the first iteration.
	hi := g.stack.alloc(8)
	g.store(x.Hi, hi, ast.Int(8, true))
	g.store(x.Lo, v.off, ast.Int(8, true))
	head, next, end := g.newLabel("for"), g.newLabel("fnext"), g.newLabel("fend")
	g.label(head)
	g.emit(asm.LoadMem(asm.R1, asm.RFP, v.off, asm.DWord), asm.LoadMem(asm.R2, asm.RFP, hi, asm.DWord),
		asm.JSGE.Reg(asm.R1, asm.R2, end))
	g.loopBody(x.Body, loop{cont: next, brk: end})
	g.label(next)
	g.emit(asm.LoadMem(asm.R1, asm.RFP, v.off, asm.DWord), asm.Add.Imm(asm.R1, 1),
		asm.StoreMem(asm.RFP, v.off, asm.R1, asm.DWord), asm.Ja.Label(head))
	g.label(end)
}

func (g *gen) unrollStmt(x *ast.UnrollStmt) {
	n, ok := stdlib.IntValue(x.Count)
	if !ok {
		if p, isPos := x.Count.(*ast.Positional); isPos {
			n, ok = g.positionalInt(p), true
		}
	}
	if !ok || n < 0 || n > maxUnroll {
		g.fail(x.Count, "unroll needs a literal count from 0 to %d", maxUnroll)
		return
	}
	end := g.newLabel("uend")
	for i := int64(0); i < n; i++ {
		next := g.newLabel("unext")
		g.loopBody(x.Body, loop{cont: next, brk: end})
		g.label(next)
	}
	g.label(end)
}

func (g *gen) loopBody(b *ast.Block, l loop) {
	g.loops = append(g.loops, l)
	g.block(b)
	g.loops = g.loops[:len(g.loops)-1]
}

func (g *gen) jumpOut(s ast.Stmt, brk bool) {
	if len(g.loops) == 0 {
		g.fail(s, "break and continue must be inside a loop")
		return
	}
	l := g.loops[len(g.loops)-1]
	if brk {
		g.emit(asm.Ja.Label(l.brk))
	} else {
		g.emit(asm.Ja.Label(l.cont))
	}
}
