package codegen

import (
	"encoding/binary"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// join(argv[, sep]) prints the strings of a NULL-terminated array of string
// pointers, such as execve's argv, joined by sep. The program reads at most
// JoinMaxArgs pointers, and each string into a slot of the max_strlen
// size, in an EventJoin record built in the per-CPU scratch map (it is
// too big for the stack):
//
//	header   index = position of sep in Object.JoinSeps
//	8        the number of strings read (an 8-byte integer)
//	16       JoinMaxArgs slots of JoinSlotSize(record) bytes each, the
//	         strings NUL-terminated
//
// The record is 16 + JoinMaxArgs*slot bytes; user space knows the slot
// size from the record's length.

// JoinMaxArgs is how many strings join() reads, as in bpftrace.
const JoinMaxArgs = 16

// JoinHeader is the size of an EventJoin record before its slots: the
// header and the count.
const JoinHeader = 16

// JoinSlotSize returns the size of one string slot of an EventJoin record
// of n bytes.
func JoinSlotSize(n int) int { return (n - JoinHeader) / JoinMaxArgs }

// DefaultJoinSep is join()'s separator when none is given.
const DefaultJoinSep = " "

func joinCall(g *gen, c *ast.Call) {
	sep, ok := g.literalArg(c, 1, DefaultJoinSep, "join needs a literal separator")
	if !ok {
		return
	}
	index := len(g.c.obj.JoinSeps)
	g.c.obj.JoinSeps = append(g.c.obj.JoinSeps, sep)
	slot := g.c.opts.MaxStrLen
	size := JoinHeader + JoinMaxArgs*slot
	g.c.scratch = max(g.c.scratch, size)

	argv := g.intExpr(c.Args[0])
	skip, send := g.newLabel("nojoin"), g.newLabel("join")
	ptr := g.stack.alloc(8)
	g.scratch(skip)
	rec := g.regs.alloc()
	g.emit(asm.Mov.Reg(rec.reg, asm.R0))
	rs := g.regs.regs(argv, rec)
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], EventHeader(EventJoin, uint32(index)))
	g.emit(storeImm(rs[1], 0, int64(int32(binary.NativeEndian.Uint32(b[:4]))), asm.Word),
		storeImm(rs[1], 4, int64(int32(binary.NativeEndian.Uint32(b[4:]))), asm.Word))
	read, readStr := asm.FnProbeReadKernel, asm.FnProbeReadKernelStr
	if g.userPointers() {
		read, readStr = asm.FnProbeReadUser, asm.FnProbeReadUserStr
	}
	for i := 0; i < JoinMaxArgs; i++ {
		g.emit(storeImm(rs[1], 8, int64(i), asm.DWord),
			asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, int32(ptr)),
			asm.Mov.Imm(asm.R2, 8),
			asm.Mov.Reg(asm.R3, rs[0]), asm.Add.Imm(asm.R3, int32(8*i)),
			read.Call(),
			asm.JNE.Imm(asm.R0, 0, send),
			asm.LoadMem(asm.R3, asm.RFP, ptr, asm.DWord),
			asm.JEq.Imm(asm.R3, 0, send),
			asm.Mov.Reg(asm.R1, rs[1]), asm.Add.Imm(asm.R1, int32(JoinHeader+i*slot)),
			asm.Mov.Imm(asm.R2, int32(slot)),
			readStr.Call())
	}
	g.emit(storeImm(rs[1], 8, JoinMaxArgs, asm.DWord))
	g.label(send)
	g.emit(asm.Mov.Reg(asm.R2, rs[1]),
		asm.LoadMapPtr(asm.R1, 0).WithReference(RingbufName),
		asm.Mov.Imm(asm.R3, int32(size)), asm.Mov.Imm(asm.R4, 0))
	g.ringbufOutput()
	g.regs.unpin(argv, rec)
	g.regs.free(rec)
	g.label(skip)
	g.regs.free(argv)
}
