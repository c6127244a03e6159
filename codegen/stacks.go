package codegen

import (
	"sort"
	"strconv"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// Stacks. kstack and ustack are 8-byte values:
//
//	bits 0..31   the stack's id in its stack trace map
//	             (BPF_MAP_TYPE_STACK_TRACE, filled by bpf_get_stackid), a
//	             negative int32 when the helper failed (no user stack in
//	             a kernel thread, a full map)
//	bits 32..39  the frame limit, which names the map (StackMapName)
//	bits 40..63  for ustack, the process id: user addresses mean
//	             something only in their process
//
// Each limit has a map of its own, that deep, so that stacks that differ
// only below the limit are one stack (the kernel hashes the frames it
// keeps); user space reads the frames by id when it prints the value.
// ProcessesName is the set of processes whose user stacks (or symbols)
// the programs have taken, an LRU hash (key and value 8 bytes: the pid,
// and 0): the first of each process sends an EventProcess record, whose
// 8-byte payload is the pid, so that user space reads the process's
// memory map while it lives. A user stack resolves only through it, and
// the maps print when the process may be long gone (gbt -c).
const ProcessesName = "ustack_pids"

// EventProcess is the record a program sends when it takes the first
// user stack of a process (see ProcessesName). Its number stays clear of
// the other kinds (events.go).
const EventProcess EventKind = 16

// ProcessRecordSize is the size of an EventProcess record.
const ProcessRecordSize = 16

// MaxStackFrames is the deepest stack a stack map holds: the kernel's
// default perf_event_max_stack, which also bounds what it records.
const MaxStackFrames = 127

// bpfUserStack is BPF_F_USER_STACK, bpf_get_stackid's flag for the user
// stack.
const bpfUserStack = 1 << 8

// StackMapName is the name of the stack map of kernel or user stacks of
// at most limit frames: "kstack_127", "ustack_3".
func StackMapName(user bool, limit int) string {
	if user {
		return "ustack_" + strconv.Itoa(limit)
	}
	return "kstack_" + strconv.Itoa(limit)
}

// SplitStack splits a kstack or ustack value into the stack's id, its
// frame limit and (ustack) the process id.
func SplitStack(v uint64) (id int32, limit, pid int) {
	return int32(uint32(v)), int(v >> 32 & 0xff), int(v >> 40)
}

// stackLimit is the frame limit of a stack type, within the kernel's.
func stackLimit(t *ast.Type) int {
	if t == nil || t.Limit <= 0 {
		return MaxStackFrames
	}
	return min(t.Limit, MaxStackFrames)
}

// stackMap notes that the programs use the stack map of kernel or user
// stacks of limit frames, and returns its name.
func (c *compiler) stackMap(user bool, limit int) string {
	name := StackMapName(user, limit)
	if c.stacks == nil {
		c.stacks = map[string]int{}
	}
	c.stacks[name] = limit
	return name
}

// stackMaps returns the stack maps the programs use, by name, then the
// set of processes seen.
func (c *compiler) stackMaps() []*Map {
	var names []string
	for name := range c.stacks {
		if name != ProcessesName {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var out []*Map
	for _, name := range names {
		out = append(out, &Map{Name: name, Kind: MapStack, Type: ebpf.StackTrace,
			KeySize: 4, ValueSize: uint32(8 * c.stacks[name]), MaxEntries: uint32(c.opts.MaxMapKeys)})
	}
	if _, ok := c.stacks[ProcessesName]; ok {
		out = append(out, &Map{Name: ProcessesName, Kind: MapStack, Type: ebpf.LRUHash,
			KeySize: 8, ValueSize: 8, MaxEntries: uint32(c.opts.MaxMapKeys)})
	}
	return out
}

// stackValue emits kstack or ustack (with or without a mode and limit).
func stackValue(user bool) func(*gen, ast.Expr) *tmp {
	return func(g *gen, e ast.Expr) *tmp {
		limit := stackLimit(e.Type())
		var flags int32
		if user {
			flags = bpfUserStack
		}
		name := g.c.stackMap(user, limit)
		g.ctx(asm.R1)
		g.emit(asm.LoadMapPtr(asm.R2, 0).WithReference(name), asm.Mov.Imm(asm.R3, flags), asm.FnGetStackid.Call())
		v := g.regs.alloc()
		g.emit(asm.Mov.Reg32(v.reg, asm.R0), asm.Mov.Imm(asm.R1, int32(limit)), asm.LSh.Imm(asm.R1, 32), asm.Or.Reg(v.reg, asm.R1))
		if user {
			g.emit(asm.FnGetCurrentPidTgid.Call(), asm.RSh.Imm(asm.R0, 32), asm.LSh.Imm(asm.R0, 40), asm.Or.Reg(v.reg, asm.R0))
			g.regs.load(asm.R1, v)
			g.emit(asm.RSh.Imm(asm.R1, 40))
			g.announceProcess(asm.R1)
		}
		return v
	}
}

// announceProcess sends an EventProcess record for process pid (in a
// scratch register) the first time the programs see it.
func (g *gen) announceProcess(pid asm.Register) {
	if g.c.stacks == nil {
		g.c.stacks = map[string]int{}
	}
	g.c.stacks[ProcessesName] = 0
	rec := g.stack.alloc(ProcessRecordSize)
	done := g.newLabel("seen")
	g.emit(asm.StoreMem(asm.RFP, rec+8, pid, asm.DWord),
		storeImm(asm.RFP, rec, 0, asm.DWord),
		asm.LoadMapPtr(asm.R1, 0).WithReference(ProcessesName),
		asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(rec+8)),
		asm.Mov.Reg(asm.R3, asm.RFP), asm.Add.Imm(asm.R3, int32(rec)),
		asm.Mov.Imm(asm.R4, bpfNoExist),
		asm.FnMapUpdateElem.Call(),
		asm.JNE.Imm(asm.R0, 0, done))
	g.header(rec, EventProcess, 0)
	g.output(rec, ProcessRecordSize)
	g.label(done)
}

// bpfNoExist is BPF_NOEXIST: map_update_elem only adds a new key.
const bpfNoExist = 1
