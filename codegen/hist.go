package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/stdlib"
)

// HistSpec describes the buckets of a hist() or lhist() map. The map has
// one entry per (key, bucket): its key is the script's key (none for a
// keyless map) followed by the bucket index as an 8-byte integer, and its
// value that bucket's 8-byte counter (per CPU: the runtime adds the CPUs
// up and gathers a key's buckets). Buckets are indexed as runtime.Hist
// documents:
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
	visit := func(s ast.Stmt) bool {
		x, ok := s.(*ast.AssignStmt)
		if !ok {
			return true
		}
		m, ok := x.Target.(*ast.MapExpr)
		call, isCall := x.Value.(*ast.Call)
		if !ok || !isCall || (call.Name != "hist" && call.Name != "lhist") {
			return true
		}
		spec, ok := histSpecOf(call)
		if !ok {
			c.errorf(call, "%s() needs literal bucket parameters", call.Name)
			return true
		}
		if old := c.hists[m.Name]; old != nil && *old != *spec {
			c.errorf(call, "map %s is used with different histogram parameters", m.Name)
			return true
		}
		c.hists[m.Name] = spec
		return true
	}
	for _, p := range c.prog.Probes {
		ast.InspectStmts(p.Body, visit)
	}
}

// aggHist emits hist() and lhist(): find the bucket, store it as the last
// 8 bytes of the key, then add one to that bucket's counter or insert it
// as 1.
func aggHist(g *gen, m *ast.MapExpr, c *ast.Call) {
	mp := g.scriptMap(m, nil)
	if mp == nil || mp.Hist == nil || len(c.Args) == 0 {
		return
	}
	h := mp.Hist
	v := g.intExpr(c.Args[0])
	signed := false
	if t := g.typeOf(c.Args[0]); t != nil && t.Signed {
		signed = true
	}
	b := g.regs.alloc()
	rs := g.regs.regs(v, b)
	if h.Linear {
		g.linearBucket(rs[0], rs[1], h)
	} else {
		g.log2Bucket(rs[0], rs[1], h, signed)
	}
	g.regs.unpin(v, b)
	g.regs.free(v)

	key := g.mapKey(m, mp)
	g.storeTmp(histBucketOff(mp, key), b)
	g.lookup(mp, key)
	insert, done := g.newLabel("new"), g.newLabel("hist")
	g.emit(asm.JEq.Imm(asm.R0, 0, insert),
		asm.Mov.Imm(asm.R1, 1), asm.AddAtomic.Mem(asm.R0, asm.R1, asm.DWord, 0),
		asm.Ja.Label(done))
	g.label(insert)
	one := g.stack.alloc(8)
	g.emit(storeImm(asm.RFP, one, 1, asm.DWord))
	g.update(mp, key, one)
	g.label(done)
}

// histBucketOff is where the bucket index goes in a hist() map's key
// built at key: its last 8 bytes.
func histBucketOff(mp *Map, key int16) int16 {
	return key + int16(mp.KeySize) - 8
}

// eachBucket emits body once for every bucket of the hist() map key at
// key, with the bucket index stored in the key. body may use R0-R5.
func (g *gen) eachBucket(mp *Map, key int16, body func()) {
	at := histBucketOff(mp, key)
	loop := g.newLabel("buckets")
	g.emit(storeImm(asm.RFP, at, 0, asm.DWord))
	g.label(loop)
	body()
	g.emit(asm.LoadMem(asm.R1, asm.RFP, at, asm.DWord), asm.Add.Imm(asm.R1, 1),
		asm.StoreMem(asm.RFP, at, asm.R1, asm.DWord),
		asm.JLT.Imm(asm.R1, int32(mp.Hist.Buckets), loop))
}

// histHasKey emits has_key() for a hist() map: 1 when any bucket of the key
// at key has a counter.
func (g *gen) histHasKey(mp *Map, key int16) *tmp {
	found, done := g.newLabel("found"), g.newLabel("has")
	g.eachBucket(mp, key, func() {
		g.lookup(mp, key)
		g.emit(asm.JNE.Imm(asm.R0, 0, found))
	})
	t := g.regs.alloc()
	g.emit(asm.Mov.Imm(t.reg, 0), asm.Ja.Label(done))
	g.label(found)
	g.emit(asm.Mov.Imm(t.reg, 1))
	g.label(done)
	return t
}

// log2Bucket computes hist()'s bucket of v into b, with R1 and R2 as
// scratch.
func (g *gen) log2Bucket(v, b asm.Register, h *HistSpec, signed bool) {
	n := int32(1) << h.K
	done, small := g.newLabel("bucket"), g.newLabel("small")
	if signed {
		g.emit(asm.Mov.Imm(b, 0), asm.JSLT.Imm(v, 0, done))
	}
	g.emit(asm.JLT.Imm(v, 2*n, small))
	// b = floor(log2 v) + off by binary search over the shifts, R1 = v
	// shifted right as far as found so far. With K = 0 the bucket is
	// log2 v + 2; otherwise b starts as p = log2 v - K.
	off := int32(2)
	if h.K > 0 {
		off = -int32(h.K)
	}
	g.emit(asm.Mov.Reg(asm.R1, v), asm.Mov.Imm(b, off))
	for _, s := range []int32{32, 16, 8, 4, 2, 1} {
		next := g.newLabel("log")
		if s == 32 {
			// 1<<32 is no 32-bit immediate.
			g.emit(asm.Mov.Reg(asm.R2, asm.R1), asm.RSh.Imm(asm.R2, s), asm.JEq.Imm(asm.R2, 0, next),
				asm.Mov.Reg(asm.R1, asm.R2), asm.Add.Imm(b, s))
		} else {
			g.emit(asm.JLT.Imm(asm.R1, 1<<s, next), asm.RSh.Imm(asm.R1, s), asm.Add.Imm(b, s))
		}
		g.label(next)
	}
	if h.K > 0 {
		// bucket = ((p+1) << K) + (v >> p) - N + 1.
		g.emit(asm.Mov.Reg(asm.R1, v), asm.RSh.Reg(asm.R1, b),
			asm.Add.Imm(b, 1), asm.LSh.Imm(b, int32(h.K)),
			asm.Add.Reg(b, asm.R1), asm.Add.Imm(b, 1-n))
	}
	g.emit(asm.Ja.Label(done))
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
