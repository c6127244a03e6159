package codegen

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// Big frames: long strings (max_strlen up to 1024) do not fit in the 512
// bytes of BPF stack. A program whose frame is too big is emitted again
// with a frame of up to maxBigFrame bytes that lives in a per-CPU array
// (MapFrame, reference FrameName) instead: the emitters still address it
// through R10 with negative offsets, and relocateFrame then points every
// such access at R9, which the program's prologue sets to the end of this
// CPU's frame value (R9 is kept out of the register allocator). Two slots
// stay on the real stack: the saved context, whose pointer type the
// verifier must keep (a pointer stored in a map value reads back as a
// number), and the key of the frame's lookup. Callbacks (for over a map)
// keep their own, real stack frame.

// maxBigFrame bounds a big frame: offsets from R9 are 16-bit and a
// per-CPU value holds at most 32 KiB.
const maxBigFrame = 32760

// FrameName is the reference of the frame map.
const FrameName = "frame"

// realStackMeta marks an instruction whose R10 access stays on the real
// stack in a big frame.
type realStackMeta struct{}

// onRealStack marks ins as addressing the real stack.
func onRealStack(ins asm.Instruction) asm.Instruction {
	ins.Metadata.Set(realStackMeta{}, true)
	return ins
}

// compileState is what emitting one program adds to the compiler, so that
// a program emitted again with a big frame does not add it twice.
type compileState struct {
	errs, printfs, values, times, joins, cats, systems, rterrs int
}

func (c *compiler) snapshot() compileState {
	o := c.obj
	return compileState{len(c.errs), len(o.Printfs), len(o.PrintValues), len(o.TimeFormats), len(o.JoinSeps), len(o.Cats), len(o.Systems), len(o.RuntimeErrors)}
}

func (c *compiler) restore(s compileState) {
	o := c.obj
	c.errs = c.errs[:s.errs]
	o.Printfs, o.PrintValues = o.Printfs[:s.printfs], o.PrintValues[:s.values]
	o.TimeFormats, o.JoinSeps = o.TimeFormats[:s.times], o.JoinSeps[:s.joins]
	o.Cats, o.Systems = o.Cats[:s.cats], o.Systems[:s.systems]
	o.RuntimeErrors = o.RuntimeErrors[:s.rterrs]
}

// useBigFrame makes g emit into a big frame: R9 leaves the register pool.
func (g *gen) useBigFrame() {
	g.bigFrame = true
	g.stack.limit = maxBigFrame
	g.regs = newRegAlloc(g, []asm.Register{asm.R6, asm.R7, asm.R8})
}

// relocateFrame rewrites a big-frame program's R10 accesses to R9 and
// prepends the prologue that points R9 at the end of this CPU's frame.
// It returns insns unchanged for an ordinary program.
func (g *gen) relocateFrame(insns asm.Instructions) asm.Instructions {
	if !g.bigFrame {
		return insns
	}
	size := align8(g.stack.max)
	g.c.frame = max(g.c.frame, size)
	for i, ins := range insns {
		if ins.Metadata.Get(realStackMeta{}) != nil {
			continue
		}
		mem := ins.OpCode.Class().IsLoad() || ins.OpCode.Class().IsStore()
		if mem && ins.Offset == g.ctxSlot && (ins.Src == asm.RFP || ins.Dst == asm.RFP) {
			continue
		}
		if ins.Src == asm.RFP {
			ins.Src = asm.R9
		}
		if ins.Dst == asm.RFP {
			ins.Dst = asm.R9
		}
		insns[i] = ins
	}
	key := g.ctxSlot - 8
	ok := g.newLabel("frame")
	prologue := asm.Instructions{
		storeImm(asm.RFP, key, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, 0).WithReference(FrameName),
		asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(key)),
		asm.FnMapLookupElem.Call(),
		asm.JNE.Imm(asm.R0, 0, ok),
		asm.Mov.Imm(asm.R0, 0), asm.Return(),
		asm.Mov.Reg(asm.R9, asm.R0).WithSymbol(ok),
		asm.Add.Imm(asm.R9, int32(size)),
	}
	for i := range prologue {
		prologue[i] = prologue[i].WithSource(insns[0].Source())
	}
	return append(prologue, insns...)
}

// frameMap is the frame map's spec, nil when no program needs one.
func (c *compiler) frameMap() *Map {
	if c.frame == 0 {
		return nil
	}
	return &Map{Name: FrameName, Kind: MapFrame, Type: ebpf.PerCPUArray, KeySize: 4,
		ValueSize: uint32(c.frame), MaxEntries: 1}
}
