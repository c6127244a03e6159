package codegen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/lang/ast"
)

func newTestGen() *gen {
	g := &gen{c: &compiler{}, alias: map[string]string{}}
	g.regs = newRegAlloc(g, []asm.Register{asm.R6, asm.R7, asm.R8, asm.R9})
	return g
}

func listInsns(insns asm.Instructions) []string {
	var out []string
	for _, ins := range insns {
		out = append(out, fmt.Sprint(ins))
	}
	return out
}

func TestAllocSpillsLeastRecentlyUsed(t *testing.T) {
	g := newTestGen()
	var ts []*tmp
	for i := 0; i < 4; i++ {
		ts = append(ts, g.regs.alloc())
	}
	if len(g.insns) != 0 {
		t.Fatalf("allocating free registers emitted %v", g.insns)
	}
	g.regs.reg(ts[0]) // ts[1] is now the least recently used
	fifth := g.regs.alloc()
	want := []string{"StXMemDW dst: rfp src: r7 off: -8 imm: 0"}
	if diff := cmp.Diff(want, listInsns(g.insns)); diff != "" {
		t.Fatalf("spill (-want +got):\n%s", diff)
	}
	if fifth.reg != asm.R7 || !ts[1].spilled || ts[1].slot != -8 {
		t.Fatalf("fifth in %v, spilled temp %+v", fifth.reg, ts[1])
	}
	// Using the spilled temp reloads it, spilling the next LRU (ts[2]).
	r := g.regs.reg(ts[1])
	want = append(want, "StXMemDW dst: rfp src: r8 off: -16 imm: 0", "LdXMemDW dst: r8 src: rfp off: -8 imm: 0")
	if diff := cmp.Diff(want, listInsns(g.insns)); diff != "" {
		t.Fatalf("reload (-want +got):\n%s", diff)
	}
	if r != asm.R8 || ts[1].spilled || !ts[2].spilled {
		t.Fatalf("reloaded into %v; ts[2] %+v", r, ts[2])
	}
	// The reload freed slot -8 for the next spill.
	g.regs.alloc()
	if got := listInsns(g.insns)[3]; !strings.Contains(got, "off: -8") {
		t.Errorf("next spill %q does not reuse the freed slot -8", got)
	}
}

func TestAllocPinnedAreNotSpilled(t *testing.T) {
	g := newTestGen()
	a, b, c, d := g.regs.alloc(), g.regs.alloc(), g.regs.alloc(), g.regs.alloc()
	g.regs.regs(a, b, c)
	e := g.regs.alloc()
	if !d.spilled || a.spilled || b.spilled || c.spilled {
		t.Fatalf("pinned temps spilled: a %v b %v c %v d %v", a.spilled, b.spilled, c.spilled, d.spilled)
	}
	g.regs.unpin(a, b, c)
	for _, x := range []*tmp{a, b, c, d, e} {
		g.regs.free(x)
	}
	if n := g.regs.liveCount(); n != 0 {
		t.Errorf("%d temps live after freeing all", n)
	}
	if len(g.regs.holder) != 0 || len(g.stack.spills) != 1 {
		t.Errorf("registers held %v, free spill slots %v", g.regs.holder, g.stack.spills)
	}
}

func TestLoadSpilledIntoScratch(t *testing.T) {
	g := newTestGen()
	ts := []*tmp{g.regs.alloc(), g.regs.alloc(), g.regs.alloc(), g.regs.alloc(), g.regs.alloc()}
	g.insns = nil
	g.regs.load(asm.R1, ts[0]) // spilled: loaded straight from its slot
	g.regs.load(asm.R2, ts[4])
	want := []string{"LdXMemDW dst: r1 src: rfp off: -8 imm: 0", "MovReg dst: r2 src: r6"}
	if diff := cmp.Diff(want, listInsns(g.insns)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// nested builds $v + ($v + (... + $v)) with n operands.
func nested(n int) string {
	return strings.Repeat("$v + (", n-1) + "$v" + strings.Repeat(")", n-1)
}

func TestDeepExpressionSpills(t *testing.T) {
	src := fmt.Sprintf(`BEGIN { $v = 3; $r = %s; }`, nested(40))
	prog, err := parseCheck(src)
	if err != nil {
		t.Fatal(err)
	}
	c := newCompiler(prog, Options{})
	p := prog.Probes[0]
	g := c.newGen(p, p.Specs[0], c.expand(p.Specs[0])[0], false)
	assign := p.Body.Stmts[1].(*ast.AssignStmt)
	r := g.intExpr(assign.Value)
	g.regs.free(r)
	if len(c.errs) > 0 || g.regs.liveCount() != 0 {
		t.Fatalf("errors %v, %d temps live", c.errs, g.regs.liveCount())
	}
	// 40 operands wait for the innermost one: all but four are spilled.
	if g.regs.spills < 36 {
		t.Errorf("%d spills for a 40-deep expression", g.regs.spills)
	}
	if g.stack.max > maxStack {
		t.Errorf("stack %d bytes", g.stack.max)
	}
	// And the whole program compiles.
	mustCompile(t, src)
}
