package codegen

import (
	"encoding/binary"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// maxRecord bounds an event record built on the stack (512 bytes, shared
// with the probe's variables and temporaries).
const maxRecord = 384

// printf emits an EventPrintf record: the header, then each argument laid
// out at its offset (events.go). User space formats it.
func printf(g *gen, c *ast.Call) {
	lit, ok := c.Args[0].(*ast.StrLit)
	if !ok {
		g.fail(c.Args[0], "printf needs a literal format string")
		return
	}
	f := &PrintfFormat{Pos: c.Pos(), Format: lit.Value}
	off := EventHeaderSize
	for _, a := range c.Args[1:] {
		t := g.typeOf(a)
		if !storable(t) {
			g.fail(a, "printf arguments of type %s are not implemented yet", t)
			return
		}
		fld := g.c.field(t, off)
		f.Args = append(f.Args, fld)
		off += align8(fld.Size)
	}
	f.Size = off
	if f.Size > maxRecord {
		g.fail(c, "printf arguments take %d bytes, more than %d", f.Size, maxRecord)
		return
	}
	index := len(g.c.obj.Printfs)
	g.c.obj.Printfs = append(g.c.obj.Printfs, f)
	rec := g.stack.alloc(f.Size)
	for i, a := range c.Args[1:] {
		g.store(a, rec+int16(f.Args[i].Offset), f.Args[i].Type)
	}
	g.header(rec, EventPrintf, uint32(index))
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

// output sends size bytes at off to the ring buffer.
func (g *gen) output(off int16, size int) {
	g.c.ringbuf = true
	g.emit(asm.LoadMapPtr(asm.R1, 0).WithReference(RingbufName),
		asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(off)),
		asm.Mov.Imm(asm.R3, int32(size)), asm.Mov.Imm(asm.R4, 0),
		asm.FnRingbufOutput.Call())
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
	g.emit(asm.Ja.Label("out"))
}
