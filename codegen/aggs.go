package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// Aggregations live in per-CPU hash maps (value layouts in Map.Agg). Each
// emitter evaluates its argument, looks the key up, updates the value in
// place when it exists, and otherwise inserts the first value.

// aggregate emits the lookup / update-in-place / insert skeleton. arg is
// the aggregation's argument (nil for count); inPlace updates the value
// R0 points to; first writes the initial value into the buffer at val.
func (g *gen) aggregate(m *ast.MapExpr, c *ast.Call, inPlace func(x *tmp), first func(val int16, x *tmp)) {
	mp := g.aggMap(m, c)
	if mp == nil {
		return
	}
	if mp.Agg == ast.AggNone {
		g.fail(c, "map %s holds plain values, not an aggregation", m.Name)
		return
	}
	var x *tmp
	if len(c.Args) > 0 {
		x = g.intExpr(c.Args[0])
	}
	key := g.mapKey(m, mp)
	if x != nil {
		// Pinned in a register on both paths below.
		g.regs.regs(x)
	}
	g.lookup(mp, key)
	insert, done := g.newLabel("new"), g.newLabel("agg")
	g.emit(asm.JEq.Imm(asm.R0, 0, insert))
	inPlace(x)
	g.emit(asm.Ja.Label(done))
	g.label(insert)
	val := g.stack.alloc(int(mp.ValueSize))
	first(val, x)
	if x != nil {
		g.regs.unpin(x)
		g.regs.free(x)
	}
	g.update(mp, key, val)
	g.label(done)
}

// aggMap returns the map of an aggregation. The checker types the members
// of tracepoint records as KKernel, so it cannot tell that sum(args->ret)
// aggregates signed values; the concrete type of the argument does.
func (g *gen) aggMap(m *ast.MapExpr, c *ast.Call) *Map {
	mp := g.scriptMap(m, nil)
	if mp == nil || mp.ValueType == nil || mp.ValueType.Signed || len(c.Args) == 0 || !hasKernel(c.Args[0].Type()) {
		return mp
	}
	if t := g.typeOf(c.Args[0]); t != nil && t.Signed {
		vt := *mp.ValueType
		vt.Signed = true
		mp.ValueType = &vt
	}
	return mp
}

func aggCount(g *gen, m *ast.MapExpr, c *ast.Call) {
	g.aggregate(m, c, func(*tmp) {
		g.emit(asm.Mov.Imm(asm.R1, 1), asm.AddAtomic.Mem(asm.R0, asm.R1, asm.DWord, 0))
	}, func(val int16, _ *tmp) {
		g.emit(storeImm(asm.RFP, val, 1, asm.DWord))
	})
}

func aggSum(g *gen, m *ast.MapExpr, c *ast.Call) {
	g.aggregate(m, c, func(x *tmp) {
		g.emit(asm.AddAtomic.Mem(asm.R0, x.reg, asm.DWord, 0))
	}, func(val int16, x *tmp) {
		g.emit(asm.StoreMem(asm.RFP, val, x.reg, asm.DWord))
	})
}

// aggAvg serves avg and stats: a count at 0 and a total at 8.
func aggAvg(g *gen, m *ast.MapExpr, c *ast.Call) {
	g.aggregate(m, c, func(x *tmp) {
		g.emit(asm.Mov.Imm(asm.R1, 1), asm.AddAtomic.Mem(asm.R0, asm.R1, asm.DWord, 0),
			asm.AddAtomic.Mem(asm.R0, x.reg, asm.DWord, 8))
	}, func(val int16, x *tmp) {
		g.emit(storeImm(asm.RFP, val, 1, asm.DWord), asm.StoreMem(asm.RFP, val+8, x.reg, asm.DWord))
	})
}

// aggMinMax: the value at 0 and a has-value flag at 8.
func aggMinMax(isMax bool) func(*gen, *ast.MapExpr, *ast.Call) {
	return func(g *gen, m *ast.MapExpr, c *ast.Call) {
		signed := 0
		if mp := g.aggMap(m, c); mp != nil && mp.ValueType.Signed {
			signed = 1
		}
		better := [2]asm.JumpOp{asm.JLT, asm.JSLT}
		if isMax {
			better = [2]asm.JumpOp{asm.JGT, asm.JSGT}
		}
		g.aggregate(m, c, func(x *tmp) {
			set, keep := g.newLabel("set"), g.newLabel("keep")
			g.emit(asm.LoadMem(asm.R1, asm.R0, 8, asm.DWord), asm.JEq.Imm(asm.R1, 0, set),
				asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), better[signed].Reg(x.reg, asm.R1, set),
				asm.Ja.Label(keep))
			g.label(set)
			g.emit(asm.StoreMem(asm.R0, 0, x.reg, asm.DWord), storeImm(asm.R0, 8, 1, asm.DWord))
			g.label(keep)
		}, func(val int16, x *tmp) {
			g.emit(asm.StoreMem(asm.RFP, val, x.reg, asm.DWord), storeImm(asm.RFP, val+8, 1, asm.DWord))
		})
	}
}
