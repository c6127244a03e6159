package codegen

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// Stacks. kstack and ustack are 8-byte values: the stack's id in a stack
// trace map (BPF_MAP_TYPE_STACK_TRACE, filled by bpf_get_stackid) in the
// lower 32 bits, negative when the helper failed (no user stack in a
// kernel thread, a full map); for ustack, the process id in the upper 32
// bits, since user addresses mean something only in their process. There
// is one stack map for kernel stacks (KernelStackName) and one for user
// stacks (UserStackName), as deep as the deepest limit the script asks
// for (at most MaxStackFrames); user space reads the frames by id when it
// prints the value, cut to the limit of the value's type.

// Stack map names. ProcessesName is the set of processes whose user
// stacks the programs have taken (an LRU hash, key and value 8 bytes: the
// pid, and 0): the first ustack of each process sends an EventProcess
// record, whose 8-byte payload is the pid, so that user space reads the
// process's memory map while it lives. A user stack resolves only through
// it, and the maps print when the process may be long gone (gbt -c).
const (
	KernelStackName = "kstack"
	UserStackName   = "ustack"
	ProcessesName   = "ustack_pids"
)

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

// StackMapName is the name of the stack map of kernel or user stacks.
func StackMapName(user bool) string {
	if user {
		return UserStackName
	}
	return KernelStackName
}

// stackMap notes that the programs use the kernel or user stack map with
// at least limit frames, and returns its name.
func (c *compiler) stackMap(user bool, limit int) string {
	name := StackMapName(user)
	limit = min(max(limit, 1), MaxStackFrames)
	if c.stacks == nil {
		c.stacks = map[string]int{}
	}
	c.stacks[name] = max(c.stacks[name], limit)
	return name
}

// stackMaps returns the stack maps the programs use, kernel first, then
// the set of processes seen.
func (c *compiler) stackMaps() []*Map {
	var out []*Map
	for _, name := range []string{KernelStackName, UserStackName} {
		if depth, ok := c.stacks[name]; ok {
			out = append(out, &Map{Name: name, Kind: MapStack, Type: ebpf.StackTrace,
				KeySize: 4, ValueSize: uint32(8 * depth), MaxEntries: uint32(c.opts.MaxMapKeys)})
		}
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
		limit := MaxStackFrames
		if t := e.Type(); t != nil && t.Limit > 0 {
			limit = t.Limit
		}
		var flags int32
		if user {
			flags = bpfUserStack
		}
		name := g.c.stackMap(user, limit)
		g.ctx(asm.R1)
		g.emit(asm.LoadMapPtr(asm.R2, 0).WithReference(name), asm.Mov.Imm(asm.R3, flags), asm.FnGetStackid.Call())
		v := g.regs.alloc()
		g.emit(asm.Mov.Reg32(v.reg, asm.R0))
		if user {
			g.emit(asm.FnGetCurrentPidTgid.Call(), asm.RSh.Imm(asm.R0, 32), asm.LSh.Imm(asm.R0, 32), asm.Or.Reg(v.reg, asm.R0))
			g.regs.load(asm.R1, v)
			g.emit(asm.RSh.Imm(asm.R1, 32))
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
