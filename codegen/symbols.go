package codegen

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// Symbols. ksym(addr) and func in kernel probes are the 8-byte address;
// user space prints the kernel symbol. usym(addr) and func in user probes
// are UsymSize bytes: the address at 0 and the process id at 8, since a
// user address names a function only within its process (whose memory
// map user space reads when it first sees it, as for ustack).
//
// kaddr("name") and uaddr("name") are addresses that depend on the host
// (and, for uaddr in a position-independent binary, on the process), so
// the Object holds only the names (Object.Symbols); the runtime resolves
// them and writes each into the config map at SymbolSlot(i).

// UsymSize is the size of a user symbol value.
const UsymSize = 16

// SymbolRef is a symbol whose address a program reads: a kernel symbol
// (kaddr) when Binary is empty, otherwise a symbol of Binary (uaddr), the
// binary as the probe names it.
type SymbolRef struct {
	Binary string
	Name   string
}

// SymbolSlot is the offset in the config value of Object.Symbols[i].
func SymbolSlot(i int) int { return ConfigSize + 8*i }

// isUsym reports whether t is a user symbol (16 bytes in memory).
func isUsym(t *ast.Type) bool { return t != nil && t.Kind == ast.KSymbol && t.User }

// storeUsym writes a user symbol value at off.
func (g *gen) storeUsym(e ast.Expr, off int16) {
	var addr *tmp
	switch x := e.(type) {
	case *ast.Call:
		if x.Name != "usym" || len(x.Args) != 1 {
			break
		}
		addr = g.intExpr(x.Args[0])
	case *ast.Ident:
		if x.Name != "func" {
			break
		}
		addr = funcAddr(g, x)
	}
	if addr == nil {
		src := g.memExprAny(e)
		if src != nil {
			g.copyBytes(off, *src, UsymSize)
		}
		return
	}
	g.storeTmp(off, addr)
	g.emit(asm.FnGetCurrentPidTgid.Call(), asm.RSh.Imm(asm.R0, 32), asm.StoreMem(asm.RFP, off+8, asm.R0, asm.DWord))
	g.announceProcess(asm.R0)
}

// symbolSlot returns the config offset of a symbol's address, adding the
// symbol to Object.Symbols on first use.
func (c *compiler) symbolSlot(ref SymbolRef) int16 {
	for i, s := range c.obj.Symbols {
		if s == ref {
			return int16(SymbolSlot(i))
		}
	}
	c.obj.Symbols = append(c.obj.Symbols, ref)
	return int16(SymbolSlot(len(c.obj.Symbols) - 1))
}

// kaddr emits kaddr("name"): the kernel symbol's address, which the
// runtime writes into the config map.
func kaddr(g *gen, e ast.Expr) *tmp {
	name, ok := symbolName(g, e)
	if !ok {
		return g.zero()
	}
	t := g.regs.alloc()
	g.loadConfig(t.reg, g.c.symbolSlot(SymbolRef{Name: name}))
	return t
}

// uaddr emits uaddr("name"): the address of a symbol of the probed binary.
func uaddr(g *gen, e ast.Expr) *tmp {
	name, ok := symbolName(g, e)
	if !ok {
		return g.zero()
	}
	a := g.plan.attach
	if a.Binary == "" || (a.Kind != AttachUprobe && a.Kind != AttachUretprobe && a.Kind != AttachUSDT) {
		g.fail(e, "uaddr is only available in uprobe, uretprobe and usdt probes")
		return g.zero()
	}
	t := g.regs.alloc()
	g.loadConfig(t.reg, g.c.symbolSlot(SymbolRef{Binary: a.Binary, Name: name}))
	return t
}

func symbolName(g *gen, e ast.Expr) (string, bool) {
	c := e.(*ast.Call)
	if len(c.Args) == 1 {
		if lit, ok := c.Args[0].(*ast.StrLit); ok && lit.Value != "" {
			return lit.Value, true
		}
	}
	g.fail(e, "%s needs a name as a string literal", c.Name)
	return "", false
}

// ptRegs are the x86-64 struct pt_regs members in order, 8 bytes each.
// Kprobes, uprobes and usdt probes get pt_regs as their context; perf
// event programs (profile, interval, software) get a struct that starts
// with it.
var ptRegs = []string{"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8",
	"ax", "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss"}

// reg emits reg("name"): a register of the probed context.
func reg(g *gen, e ast.Expr) *tmp {
	name, ok := symbolName(g, e)
	if !ok {
		return g.zero()
	}
	if !g.plan.argRegs && g.plan.progType != ebpf.PerfEvent {
		g.fail(e, "reg is not available in %s probes", g.spec.Kind)
		return g.zero()
	}
	for i, r := range ptRegs {
		if r == name {
			return g.ctxLoad(int16(8 * i))
		}
	}
	g.fail(e, "unknown register %q", name)
	return g.zero()
}
