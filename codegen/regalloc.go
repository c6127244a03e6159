package codegen

import "github.com/cilium/ebpf/asm"

// Register use. Helper calls clobber R0-R5, so every value that lives
// longer than one emitter is a temp held in a callee-saved register
// (R6-R9). When all of them are taken, the least recently used temp that
// is not pinned by the current operation is spilled to an 8-byte stack slot
// and reloaded into a free register when it is next used. R0-R5 are
// scratch registers that an emitter may use between two of its own
// instructions, never across a call to another emitter.

// tmp is an integer value held by the allocator: in a register, or in a
// spill slot on the stack.
type tmp struct {
	reg     asm.Register // valid when !spilled
	slot    int16        // stack offset from R10 when spilled
	spilled bool
	used    int // LRU tick
	pins    int
	freed   bool
}

type regAlloc struct {
	g      *gen
	pool   []asm.Register
	holder map[asm.Register]*tmp
	live   []*tmp
	tick   int
	spills int // number of spills done, for tests
}

func newRegAlloc(g *gen, pool []asm.Register) *regAlloc {
	return &regAlloc{g: g, pool: pool, holder: map[asm.Register]*tmp{}}
}

// alloc returns a new temp in a register; its value is undefined until the
// caller writes the register.
func (ra *regAlloc) alloc() *tmp {
	r := ra.freeReg()
	t := &tmp{reg: r}
	ra.holder[r] = t
	ra.live = append(ra.live, t)
	ra.touch(t)
	return t
}

// freeReg finds a free register, spilling a temp if needed.
func (ra *regAlloc) freeReg() asm.Register {
	for _, r := range ra.pool {
		if ra.holder[r] == nil {
			return r
		}
	}
	var victim *tmp
	for _, r := range ra.pool {
		t := ra.holder[r]
		if t.pins > 0 {
			continue
		}
		if victim == nil || t.used < victim.used {
			victim = t
		}
	}
	if victim == nil {
		// Every register is pinned by the operation in progress; the
		// emitters pin at most three temps, so this cannot happen
		// while the pool has four registers.
		panic("codegen: all registers pinned")
	}
	ra.spill(victim)
	return victim.reg
}

func (ra *regAlloc) spill(t *tmp) {
	t.slot = ra.g.stack.spillSlot()
	ra.g.emit(asm.StoreMem(asm.RFP, t.slot, t.reg, asm.DWord))
	delete(ra.holder, t.reg)
	t.spilled = true
	ra.spills++
}

func (ra *regAlloc) touch(t *tmp) {
	ra.tick++
	t.used = ra.tick
}

// reg makes t live in a register and returns it; the register stays
// valid until the next call into the allocator that may spill (alloc, reg)
// unless t is pinned.
func (ra *regAlloc) reg(t *tmp) asm.Register {
	if t.freed {
		panic("codegen: use of a freed temp")
	}
	if t.spilled {
		r := ra.freeReg()
		ra.g.emit(asm.LoadMem(r, asm.RFP, t.slot, asm.DWord))
		ra.g.stack.freeSpill(t.slot)
		t.reg, t.spilled = r, false
		ra.holder[r] = t
	}
	ra.touch(t)
	return t.reg
}

// regs loads every temp into a register at once and pins them until unpin.
func (ra *regAlloc) regs(ts ...*tmp) []asm.Register {
	out := make([]asm.Register, len(ts))
	for i, t := range ts {
		out[i] = ra.reg(t)
		t.pins++
	}
	return out
}

func (ra *regAlloc) unpin(ts ...*tmp) {
	for _, t := range ts {
		t.pins--
	}
}

// load copies t into the scratch register dst (R0-R5) without taking a
// callee-saved register when t is spilled.
func (ra *regAlloc) load(dst asm.Register, t *tmp) {
	if t.spilled {
		ra.g.emit(asm.LoadMem(dst, asm.RFP, t.slot, asm.DWord))
		return
	}
	ra.touch(t)
	ra.g.emit(asm.Mov.Reg(dst, t.reg))
}

// free releases t.
func (ra *regAlloc) free(t *tmp) {
	if t == nil || t.freed {
		return
	}
	t.freed = true
	if t.spilled {
		ra.g.stack.freeSpill(t.slot)
	} else {
		delete(ra.holder, t.reg)
	}
	for i, l := range ra.live {
		if l == t {
			ra.live = append(ra.live[:i], ra.live[i+1:]...)
			break
		}
	}
}

// liveCount is the number of temps not yet freed.
func (ra *regAlloc) liveCount() int { return len(ra.live) }
