package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/stdlib"
)

// HistSpec describes the buckets of a hist() or lhist() map. A value is
// Buckets 8-byte counters (per CPU: the runtime adds the CPUs up bucket by
// bucket), indexed as runtime.Hist documents:
//
//	log2 (hist(v, K), N = 1<<K): bucket 0 counts negative values, buckets
//	1..2N the values 0..2N-1, then each power of two [2^e, 2^(e+1)) with
//	2^e >= 2N is split into N buckets: value v >= 2N, with p =
//	floor(log2 v) - K, goes to bucket ((p+1) << K) + (v >> p) - N + 1.
//	linear (lhist(v, Min, Max, Step)): bucket 0 counts values below Min,
//	bucket i in 1..n the values [Min+(i-1)*Step, Min+i*Step) where
//	n = (Max-Min)/Step, and bucket n+1 the values from Max up.
type HistSpec struct {
	Linear         bool
	K              int
	Min, Max, Step int64
	Buckets        int
}

// histSpecOf reads the literal parameters of a hist() or lhist() call.
func histSpecOf(c *ast.Call) (*HistSpec, bool) {
	lit := func(i int) (int64, bool) {
		if i >= len(c.Args) {
			return 0, false
		}
		return stdlib.IntValue(c.Args[i])
	}
	switch c.Name {
	case "hist":
		k := int64(0)
		if len(c.Args) > 1 {
			var ok bool
			if k, ok = lit(1); !ok || k < 0 || k > 5 {
				return nil, false
			}
		}
		n := 1 << k
		return &HistSpec{K: int(k), Buckets: ((64-int(k))<<k + n) + 1}, true
	case "lhist":
		lo, ok1 := lit(1)
		hi, ok2 := lit(2)
		step, ok3 := lit(3)
		if !ok1 || !ok2 || !ok3 || step <= 0 || hi < lo || (hi-lo)/step > 1000 {
			return nil, false
		}
		return &HistSpec{Linear: true, Min: lo, Max: hi, Step: step, Buckets: int((hi-lo)/step) + 2}, true
	}
	return nil, false
}

// collectHists finds the bucket layout of every histogram map from the
// hist() and lhist() calls assigned to it, before any code is emitted.
func (c *compiler) collectHists() {
	c.hists = map[string]*HistSpec{}
	var walk func(s ast.Stmt)
	walk = func(s ast.Stmt) {
		switch x := s.(type) {
		case *ast.Block:
			for _, s := range x.Stmts {
				walk(s)
			}
		case *ast.IfStmt:
			walk(x.Then)
			if x.Else != nil {
				walk(x.Else)
			}
		case *ast.WhileStmt:
			walk(x.Body)
		case *ast.UnrollStmt:
			walk(x.Body)
		case *ast.ForStmt:
			walk(x.Body)
		case *ast.AssignStmt:
			m, ok := x.Target.(*ast.MapExpr)
			call, isCall := x.Value.(*ast.Call)
			if !ok || !isCall || (call.Name != "hist" && call.Name != "lhist") {
				return
			}
			spec, ok := histSpecOf(call)
			if !ok {
				c.errorf(call, "%s() needs literal bucket parameters", call.Name)
				return
			}
			if old := c.hists[m.Name]; old != nil && *old != *spec {
				c.errorf(call, "map %s is used with different histogram parameters", m.Name)
				return
			}
			c.hists[m.Name] = spec
		}
	}
	for _, p := range c.prog.Probes {
		walk(p.Body)
	}
}

// aggHist emits hist() and lhist(): find the bucket, then add one to its
// counter, creating the key's counters (from the zero map) first.
func aggHist(g *gen, m *ast.MapExpr, c *ast.Call) {
	mp := g.scriptMap(m, nil)
	if mp == nil || mp.Hist == nil || len(c.Args) == 0 {
		return
	}
	h := mp.Hist
	v := g.intExpr(c.Args[0])
	signed := 0
	if t := g.typeOf(c.Args[0]); t != nil && t.Signed {
		signed = 1
	}
	b := g.regs.alloc()
	rs := g.regs.regs(v, b)
	if h.Linear {
		g.linearBucket(rs[0], rs[1], h)
	} else {
		g.log2Bucket(rs[0], rs[1], h, signed == 1)
	}
	// Bound the index for the verifier.
	ok := g.newLabel("inrange")
	g.emit(asm.JLE.Imm(rs[1], int32(h.Buckets-1), ok), asm.Mov.Imm(rs[1], int32(h.Buckets-1)))
	g.label(ok)
	g.regs.unpin(v, b)
	g.regs.free(v)

	key := g.mapKey(m, mp)
	g.regs.regs(b)
	skip, have := g.newLabel("nohist"), g.newLabel("have")
	g.lookup(mp, key)
	g.emit(asm.JNE.Imm(asm.R0, 0, have))
	g.c.zero = max(g.c.zero, int(mp.ValueSize))
	zkey := g.stack.alloc(8)
	g.emit(storeImm(asm.RFP, zkey, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, 0).WithReference(ZeroName),
		asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(zkey)),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, skip),
		asm.Mov.Reg(asm.R3, asm.R0),
		asm.LoadMapPtr(asm.R1, 0).WithReference(mp.Name),
		asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(key)),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnMapUpdateElem.Call())
	g.lookup(mp, key)
	g.emit(asm.JEq.Imm(asm.R0, 0, skip))
	g.label(have)
	g.emit(asm.Mov.Reg(asm.R1, b.reg), asm.LSh.Imm(asm.R1, 3), asm.Add.Reg(asm.R0, asm.R1),
		asm.Mov.Imm(asm.R1, 1), asm.AddAtomic.Mem(asm.R0, asm.R1, asm.DWord, 0))
	g.label(skip)
	g.regs.unpin(b)
	g.regs.free(b)
}

// log2Bucket computes hist()'s bucket of v into b, with R1-R3 as scratch.
func (g *gen) log2Bucket(v, b asm.Register, h *HistSpec, signed bool) {
	n := int32(1) << h.K
	done, small := g.newLabel("bucket"), g.newLabel("small")
	if signed {
		g.emit(asm.Mov.Imm(b, 0), asm.JSLT.Imm(v, 0, done))
	}
	g.emit(asm.JLT.Imm(v, 2*n, small))
	// R2 = floor(log2 v) by binary search over the shifts.
	g.emit(asm.Mov.Reg(asm.R1, v), asm.Mov.Imm(asm.R2, 0))
	for _, s := range []int32{32, 16, 8, 4, 2, 1} {
		next := g.newLabel("log")
		g.emit(asm.Mov.Reg(asm.R3, asm.R1), asm.RSh.Imm(asm.R3, s), asm.JEq.Imm(asm.R3, 0, next),
			asm.Mov.Reg(asm.R1, asm.R3), asm.Add.Imm(asm.R2, s))
		g.label(next)
	}
	// p = log2 v - K; bucket = ((p+1) << K) + (v >> p) - N + 1.
	g.emit(asm.Sub.Imm(asm.R2, int32(h.K)),
		asm.Mov.Reg(asm.R3, v), asm.RSh.Reg(asm.R3, asm.R2),
		asm.Add.Imm(asm.R2, 1), asm.LSh.Imm(asm.R2, int32(h.K)),
		asm.Add.Reg(asm.R2, asm.R3), asm.Add.Imm(asm.R2, 1-n),
		asm.Mov.Reg(b, asm.R2), asm.Ja.Label(done))
	g.label(small)
	g.emit(asm.Mov.Reg(b, v), asm.Add.Imm(b, 1))
	g.label(done)
}

// linearBucket computes lhist()'s bucket of v into b.
func (g *gen) linearBucket(v, b asm.Register, h *HistSpec) {
	done, above := g.newLabel("bucket"), g.newLabel("above")
	g.movImm(asm.R1, h.Min)
	g.movImm(asm.R2, h.Max)
	g.emit(asm.Mov.Imm(b, 0), asm.JSLT.Reg(v, asm.R1, done),
		asm.JSGE.Reg(v, asm.R2, above),
		asm.Mov.Reg(b, v), asm.Sub.Reg(b, asm.R1))
	g.movImm(asm.R3, h.Step)
	g.emit(asm.Div.Reg(b, asm.R3), asm.Add.Imm(b, 1), asm.Ja.Label(done))
	g.label(above)
	g.emit(asm.Mov.Imm(b, int32(h.Buckets-1)))
	g.label(done)
}
