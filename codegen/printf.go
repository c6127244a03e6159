package codegen

import (
	"encoding/binary"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// Records up to stackRecord bytes are built on the stack (512 bytes,
// shared with the probe's variables and temporaries); bigger ones, up to
// maxRecord, in the per-CPU scratch map.
const (
	stackRecord = 256
	maxRecord   = 4096
)

// printf emits an EventPrintf record: the header, then each argument laid
// out at its offset (events.go). User space formats it.
func printf(g *gen, c *ast.Call) { g.formatted(c, EventPrintf, &g.c.obj.Printfs) }

// catCall emits cat(fmt, args...): an EventCat record laid out like a
// printf record; user space formats the path and prints the file.
func catCall(g *gen, c *ast.Call) { g.formatted(c, EventCat, &g.c.obj.Cats) }

// formatted emits a record of kind whose format and arguments are described
// in table (printf and cat).
func (g *gen) formatted(c *ast.Call, kind EventKind, table *[]*PrintfFormat) {
	lit, ok := c.Args[0].(*ast.StrLit)
	if !ok {
		g.fail(c.Args[0], "%s needs a literal format string", c.Name)
		return
	}
	f := &PrintfFormat{Pos: c.Pos(), Format: lit.Value}
	off := EventHeaderSize
	for _, a := range c.Args[1:] {
		t := g.typeOf(a)
		if !storable(t) {
			// A type that could not be made concrete was reported
			// where it failed.
			if !g.failed {
				g.fail(a, "%s arguments of type %s are not implemented yet", c.Name, t)
			}
			return
		}
		fld := g.c.field(t, off)
		f.Args = append(f.Args, fld)
		off += align8(fld.Size)
	}
	f.Size = off
	if f.Size > maxRecord {
		g.fail(c, "%s arguments take %d bytes, more than %d", c.Name, f.Size, maxRecord)
		return
	}
	index := len(*table)
	*table = append(*table, f)
	if f.Size > stackRecord {
		g.scratchRecord(c.Args[1:], f, kind, index)
		return
	}
	rec := g.stack.alloc(f.Size)
	for i, a := range c.Args[1:] {
		g.store(a, rec+int16(f.Args[i].Offset), f.Args[i].Type)
	}
	g.header(rec, kind, uint32(index))
	g.output(rec, f.Size)
}

// header writes a record header at off, as two 32-bit immediates in host
// byte order.
func (g *gen) header(off int16, kind EventKind, index uint32) {
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], EventHeader(kind, index))
	g.emit(storeImm(asm.RFP, off, int64(int32(binary.NativeEndian.Uint32(b[:4]))), asm.Word),
		storeImm(asm.RFP, off+4, int64(int32(binary.NativeEndian.Uint32(b[4:]))), asm.Word))
}

// event sends a record of just a header: an event whose index says it all.
func (g *gen) event(kind EventKind, index uint32) {
	rec := g.stack.alloc(EventHeaderSize)
	g.header(rec, kind, index)
	g.output(rec, EventHeaderSize)
}

// output sends size bytes at off to the ring buffer.
func (g *gen) output(off int16, size int) {
	g.c.ringbuf = true
	g.emit(asm.LoadMapPtr(asm.R1, 0).WithReference(RingbufName),
		asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(off)),
		asm.Mov.Imm(asm.R3, int32(size)), asm.Mov.Imm(asm.R4, 0))
	g.ringbufOutput()
}

// ringbufOutput calls bpf_ringbuf_output with R1-R4 set up and, when the
// buffer is full, counts the lost record in the drops map (events.go).
func (g *gen) ringbufOutput() {
	g.c.ringbuf = true
	sent := g.newLabel("sent")
	key := g.stack.alloc(8)
	g.emit(asm.FnRingbufOutput.Call(),
		asm.JEq.Imm(asm.R0, 0, sent),
		storeImm(asm.RFP, key, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, 0).WithReference(DropsName),
		asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(key)),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, sent),
		asm.Mov.Imm(asm.R1, 1),
		asm.AddAtomic.Mem(asm.R0, asm.R1, asm.DWord, 0))
	g.label(sent)
}

// exit emits an EventExit record and returns from the program.
func exit(g *gen, c *ast.Call) {
	rec := g.stack.alloc(ExitRecordSize)
	if len(c.Args) > 0 {
		g.store(c.Args[0], rec+EventHeaderSize, ast.Int(8, true))
	} else {
		g.emit(storeImm(asm.RFP, rec+EventHeaderSize, 0, asm.DWord))
	}
	g.header(rec, EventExit, 0)
	g.output(rec, ExitRecordSize)
	g.emit(asm.Ja.Label(g.outLabel()))
}

// scratchRecord builds a printf record too big for the stack in the
// per-CPU scratch map: each argument is evaluated on the stack on its own,
// then copied to its place in the record.
func (g *gen) scratchRecord(args []ast.Expr, f *PrintfFormat, kind EventKind, index int) {
	g.c.scratch = max(g.c.scratch, f.Size)
	skip := g.newLabel("noscratch")
	for i, a := range args {
		fld := f.Args[i]
		mark := g.stack.mark()
		if isScalar(fld.Type) {
			v := g.intExpr(a)
			g.regs.regs(v)
			g.scratch(skip)
			g.emit(asm.StoreMem(asm.R0, int16(fld.Offset), v.reg, asm.DWord))
			g.regs.unpin(v)
			g.regs.free(v)
		} else {
			off := g.stack.alloc(fld.Size)
			g.store(a, off, fld.Type)
			g.scratch(skip)
			for i := 0; i < align8(fld.Size); i += 8 {
				g.emit(asm.LoadMem(asm.R1, asm.RFP, off+int16(i), asm.DWord),
					asm.StoreMem(asm.R0, int16(fld.Offset+i), asm.R1, asm.DWord))
			}
		}
		g.stack.release(mark)
	}
	g.scratch(skip)
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], EventHeader(kind, uint32(index)))
	g.c.ringbuf = true
	g.emit(storeImm(asm.R0, 0, int64(int32(binary.NativeEndian.Uint32(b[:4]))), asm.Word),
		storeImm(asm.R0, 4, int64(int32(binary.NativeEndian.Uint32(b[4:]))), asm.Word),
		asm.Mov.Reg(asm.R2, asm.R0),
		asm.LoadMapPtr(asm.R1, 0).WithReference(RingbufName),
		asm.Mov.Imm(asm.R3, int32(f.Size)), asm.Mov.Imm(asm.R4, 0))
	g.ringbufOutput()
	g.label(skip)
}

// scratch points R0 at this CPU's scratch value, or jumps to skip.
func (g *gen) scratch(skip string) {
	key := g.stack.alloc(8)
	g.emit(storeImm(asm.RFP, key, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, 0).WithReference(ScratchName),
		asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(key)),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, skip))
}
