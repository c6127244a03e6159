package codegen

import (
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// strContains emits strcontains(haystack, needle): 1 when needle occurs in
// haystack (an empty needle always does). Both strings are evaluated into
// stack buffers; a bounded double loop then tries each start position of
// the haystack up to its NUL, comparing the needle's bytes up to its NUL.
// The loop uses R0-R5 only and calls no helper, so no temp is live in it.
func strContains(g *gen, e ast.Expr) *tmp {
	c := e.(*ast.Call)
	hay, needle := c.Args[0], c.Args[1]
	ht, nt := g.typeOf(hay), g.typeOf(needle)
	if ht == nil || nt == nil || ht.Kind != ast.KString || nt.Kind != ast.KString {
		g.fail(c, "strcontains expects two strings")
		return g.zero()
	}
	if lit, ok := needle.(*ast.StrLit); ok {
		return g.strContainsLiteral(hay, lit.Value)
	}
	h, n := g.memExpr(hay), g.memExpr(needle)
	hsize, nsize := int32(g.c.strSize(ht)), int32(g.c.strSize(nt))
	res := g.branchResult()
	g.flush()
	outer, inner, next := g.newLabel("scouter"), g.newLabel("scinner"), g.newLabel("scnext")
	found, missing, end := g.newLabel("scfound"), g.newLabel("scmissing"), g.newLabel("scend")
	// byteAt loads the byte at buf+idx into dst through R3.
	byteAt := func(dst asm.Register, buf int16, idx asm.Register) {
		g.emit(asm.Mov.Reg(asm.R3, asm.RFP), asm.Add.Imm(asm.R3, int32(buf)), asm.Add.Reg(asm.R3, idx),
			asm.LoadMem(dst, asm.R3, 0, asm.Byte))
	}
	// R1: the start position i; R2: the needle position j; R5 = i + j.
	g.emit(asm.Mov.Imm(asm.R1, 0))
	g.label(outer)
	g.emit(asm.JGE.Imm(asm.R1, hsize, missing), asm.Mov.Imm(asm.R2, 0))
	g.label(inner)
	g.emit(asm.JGE.Imm(asm.R2, nsize, found))
	byteAt(asm.R4, n, asm.R2)
	g.emit(asm.JEq.Imm(asm.R4, 0, found),
		asm.Mov.Reg(asm.R5, asm.R1), asm.Add.Reg(asm.R5, asm.R2),
		asm.JGE.Imm(asm.R5, hsize, missing))
	byteAt(asm.R0, h, asm.R5)
	g.emit(asm.JNE.Reg(asm.R0, asm.R4, next), asm.Add.Imm(asm.R2, 1), asm.Ja.Label(inner))
	g.label(next)
	byteAt(asm.R0, h, asm.R1)
	g.emit(asm.JEq.Imm(asm.R0, 0, missing), asm.Add.Imm(asm.R1, 1), asm.Ja.Label(outer))
	g.setResult(res, found, missing, end)
	return res
}

// strContainsLiteral is strcontains with a literal needle: one loop over
// the start positions that leave room for the needle, each comparing the
// needle's bytes as immediates; it is much cheaper for the verifier than
// the double loop when strings are long.
func (g *gen) strContainsLiteral(hay ast.Expr, needle string) *tmp {
	if i := strings.IndexByte(needle, 0); i >= 0 {
		needle = needle[:i]
	}
	res := g.branchResult()
	if needle == "" {
		g.emit(storeImm(asm.RFP, res.slot, 1, asm.DWord))
		return res
	}
	h := g.memExpr(hay)
	hsize := g.c.strSize(g.typeOf(hay))
	g.flush()
	found, missing, end := g.newLabel("scfound"), g.newLabel("scmissing"), g.newLabel("scend")
	if len(needle) >= hsize {
		// The needle cannot fit before the haystack's NUL.
		g.emit(storeImm(asm.RFP, res.slot, 0, asm.DWord))
		return res
	}
	outer, next := g.newLabel("scouter"), g.newLabel("scnext")
	g.emit(asm.Mov.Imm(asm.R1, 0))
	g.label(outer)
	g.emit(asm.JGT.Imm(asm.R1, int32(hsize-1-len(needle)), missing),
		asm.Mov.Reg(asm.R3, asm.RFP), asm.Add.Imm(asm.R3, int32(h)), asm.Add.Reg(asm.R3, asm.R1))
	for k := 0; k < len(needle); k++ {
		g.emit(asm.LoadMem(asm.R0, asm.R3, int16(k), asm.Byte), asm.JNE.Imm(asm.R0, int32(needle[k]), next))
	}
	g.emit(asm.Ja.Label(found))
	g.label(next)
	g.emit(asm.LoadMem(asm.R0, asm.R3, 0, asm.Byte), asm.JEq.Imm(asm.R0, 0, missing),
		asm.Add.Imm(asm.R1, 1), asm.Ja.Label(outer))
	g.setResult(res, found, missing, end)
	return res
}

// setResult ends a search: 1 into res at found, 0 at missing, both
// continuing at end.
func (g *gen) setResult(res *tmp, found, missing, end string) {
	g.label(found)
	g.emit(storeImm(asm.RFP, res.slot, 1, asm.DWord), asm.Ja.Label(end))
	g.label(missing)
	g.emit(storeImm(asm.RFP, res.slot, 0, asm.DWord))
	g.label(end)
}
