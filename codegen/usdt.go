package codegen

import (
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// expandUSDT turns usdt:binary:[provider:]name into one program per probe
// location, each compiled with its own argument locations.
func (c *compiler) expandUSDT(spec *ast.ProbeSpec) []*plan {
	parts := spec.Parts
	if len(parts) < 2 || len(parts) > 3 {
		c.errorf(spec, "usdt %q: expected usdt:binary:[provider:]name", spec.Raw)
		return nil
	}
	if c.opts.User == nil {
		c.errorf(spec, "usdt %q: no information about user-space binaries to compile USDT probes against", spec.Raw)
		return nil
	}
	binary := parts[0]
	pattern := strings.Join(parts[1:], ":")
	if len(parts) == 3 && parts[1] == "" {
		pattern = parts[2]
	}
	probes, err := c.opts.User.USDT(binary, pattern)
	if err != nil {
		c.errorf(spec, "%v", err)
		return nil
	}
	var out []*plan
	for i := range probes {
		p := &probes[i]
		out = append(out, &plan{
			probe:    "usdt:" + binary + ":" + p.Provider + ":" + p.Name,
			progType: ebpf.Kprobe,
			attach:   Attach{Kind: AttachUSDT, Binary: binary, Target: p.Provider + ":" + p.Name, Offset: p.PC},
			usdt:     p,
			argRegs:  true,
		})
	}
	return out
}

// usdtArg emits argument n of the program's USDT location.
func (g *gen) usdtArg(e ast.Expr, n int) *tmp {
	p := g.plan.usdt
	switch {
	case p.ArgErr != "":
		g.fail(e, "usdt probe %s:%s: cannot read its arguments: %s", p.Provider, p.Name, p.ArgErr)
		return g.zero()
	case n >= len(p.Args):
		g.fail(e, "usdt probe %s:%s has %d arguments: arg%d does not exist", p.Provider, p.Name, len(p.Args), n)
		return g.zero()
	}
	a := p.Args[n]
	t := g.regs.alloc()
	switch a.Kind {
	case USDTConst:
		g.movImm(t.reg, a.Value)
	case USDTReg:
		g.ctx(asm.R1)
		g.emit(asm.LoadMem(t.reg, asm.R1, a.Reg, asm.DWord))
		if a.Shift != 0 {
			g.emit(asm.RSh.Imm(t.reg, int32(a.Shift)))
		}
	case USDTMem, USDTGlobal:
		g.ctx(asm.R1)
		g.emit(asm.LoadMem(asm.R3, asm.R1, a.Reg, asm.DWord))
		if a.Kind == USDTMem {
			g.addImm(asm.R3, a.Offset)
			if a.Index >= 0 {
				g.emit(asm.LoadMem(asm.R2, asm.R1, a.Index, asm.DWord))
				g.mulImm(asm.R2, a.Scale)
				g.emit(asm.Add.Reg(asm.R3, asm.R2))
			}
		} else {
			g.addImm(asm.R3, int64(a.Addr-p.PC))
		}
		slot := g.stack.alloc(8)
		g.emit(storeImm(asm.RFP, slot, 0, asm.DWord),
			asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, int32(slot)),
			asm.Mov.Imm(asm.R2, int32(min(max(a.Size, 1), 8))),
			asm.FnProbeReadUser.Call(),
			asm.LoadMem(t.reg, asm.RFP, slot, asm.DWord))
	}
	if a.Kind != USDTConst && a.Size > 0 && a.Size < 8 {
		bits := int32(64 - 8*a.Size)
		g.emit(asm.LSh.Imm(t.reg, bits))
		if a.Signed {
			g.emit(asm.ArSh.Imm(t.reg, bits))
		} else {
			g.emit(asm.RSh.Imm(t.reg, bits))
		}
	}
	return t
}

// addImm adds a 64-bit constant to r (through R0 when it does not fit an
// immediate).
func (g *gen) addImm(r asm.Register, v int64) {
	switch {
	case v == 0:
	case v >= -1<<31 && v < 1<<31:
		g.emit(asm.Add.Imm(r, int32(v)))
	default:
		g.emit(asm.LoadImm(asm.R0, v, asm.DWord), asm.Add.Reg(r, asm.R0))
	}
}

// mulImm multiplies r by a constant.
func (g *gen) mulImm(r asm.Register, v int64) {
	if v >= -1<<31 && v < 1<<31 {
		g.emit(asm.Mul.Imm(r, int32(v)))
		return
	}
	g.emit(asm.LoadImm(asm.R0, v, asm.DWord), asm.Mul.Reg(r, asm.R0))
}
