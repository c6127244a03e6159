package codegen

import (
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// Kernel records: members of C structs reached through pointers, such as
// ((struct task_struct *)curtask)->real_parent->tgid. Their layouts come
// from Options.Types (the kernel's BTF). A pointer to a struct is a
// KPointer whose Elem is a KRecord naming the struct; an embedded struct
// is a KRecord, which only its own members can be read from. Members are
// read from kernel memory with bpf_probe_read_kernel.

// member resolves f on a kernel record; nil (after reporting) when it
// cannot.
func (g *gen) member(f *ast.Field) *Member {
	xt := g.typeOf(f.X)
	var rec string
	switch {
	case xt == nil:
		return nil
	case xt.Kind == ast.KPointer && xt.Elem != nil && xt.Elem.Kind == ast.KRecord:
		rec = xt.Elem.Name
	case xt.Kind == ast.KRecord && !f.Arrow && xt.Name != "args":
		rec = xt.Name
	default:
		return nil
	}
	types := g.c.opts.Types
	if types == nil {
		g.fail(f, "reading %s members needs the kernel's type information (BTF)", rec)
		return nil
	}
	m, err := types.Member(rec, f.Name)
	if err != nil {
		g.fail(f, "%v", err)
		return nil
	}
	if m.Bitfield {
		g.fail(f, "reading the bit-field %s of %s is not implemented yet", f.Name, rec)
		return nil
	}
	return m
}

// memberType is the concrete type of a member; nil when the code
// generator cannot hold it.
func memberType(m *Member) *ast.Type {
	switch m.Kind {
	case MemberInt:
		if m.Size == 1 || m.Size == 2 || m.Size == 4 || m.Size == 8 {
			return ast.Int(m.Size, m.Signed)
		}
	case MemberPointer:
		t := &ast.Type{Kind: ast.KPointer, Size: 8}
		if isRecordName(m.Elem) {
			t.Elem = &ast.Type{Kind: ast.KRecord, Name: m.Elem}
		}
		return t
	case MemberArray:
		switch m.Elem {
		case "char", "signed char", "unsigned char":
			return ast.String(m.Len)
		}
	case MemberRecord:
		return &ast.Type{Kind: ast.KRecord, Name: m.Elem}
	}
	return nil
}

func isRecordName(s string) bool {
	return strings.HasPrefix(s, "struct ") || strings.HasPrefix(s, "union ")
}

// memberAddr computes the kernel address of member m of f into a temp.
func (g *gen) memberAddr(f *ast.Field, m *Member) *tmp {
	xt := g.typeOf(f.X)
	var base *tmp
	if xt.Kind == ast.KPointer {
		base = g.intExpr(f.X)
	} else {
		inner, ok := f.X.(*ast.Field)
		im := g.member(inner)
		if !ok || im == nil {
			g.fail(f.X, "this record expression is not implemented yet")
			return g.zero()
		}
		base = g.memberAddr(inner, im)
	}
	if m.Offset != 0 {
		g.emit(asm.Add.Imm(g.regs.reg(base), int32(m.Offset)))
	}
	return base
}

// memberInt reads an integer or pointer member.
func (g *gen) memberInt(f *ast.Field, m *Member, t *ast.Type) *tmp {
	addr := g.memberAddr(f, m)
	buf := g.stack.alloc(8)
	g.regs.load(asm.R3, addr)
	g.emit(storeImm(asm.RFP, buf, 0, asm.DWord),
		asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, int32(buf)),
		asm.Mov.Imm(asm.R2, int32(m.Size)),
		asm.FnProbeReadKernel.Call())
	r := g.regs.reg(addr)
	size := map[int]asm.Size{1: asm.Byte, 2: asm.Half, 4: asm.Word, 8: asm.DWord}[m.Size]
	g.emit(asm.LoadMem(r, asm.RFP, buf, size))
	g.extend(r, t)
	return addr
}

// memberString reads a char array member as a string of size bytes.
func (g *gen) memberString(f *ast.Field, m *Member, off int16, size int) {
	addr := g.memberAddr(f, m)
	g.zeroFill(off, size)
	g.regs.load(asm.R3, addr)
	g.regs.free(addr)
	g.emit(asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, int32(off)),
		asm.Mov.Imm(asm.R2, int32(min(size-1, m.Len))), asm.FnProbeReadKernel.Call())
}
