package codegen

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// Options configure a compilation.
type Options struct {
	// Kernel describes the tracepoints of the kernel the Object is built
	// for; it is needed by tracepoint probes only.
	Kernel KernelInfo
	// Types describes the kernel's C types (BTF), for member access
	// through struct pointers; nil when unavailable.
	Types TypeInfo
	// User describes user-space binaries: needed by usdt probes and by
	// uprobes with wildcards only.
	User UserInfo
	// Params are the positional parameters $1..$N.
	Params []string
	// MaxStrLen is the size of strings from str() and the default string
	// size (bytes, including the NUL); 0 means 64.
	MaxStrLen int
	// MaxMapKeys is the number of keys a script map holds; 0 means
	// MaxMapEntries (4096).
	MaxMapKeys int
	// RingbufSize is the event ring buffer's size in bytes, rounded up to
	// a power of two; 0 means RingbufSize (1 MiB).
	RingbufSize int
}

// DefaultMaxStrLen is bpftrace's default string size.
const DefaultMaxStrLen = 64

// compiler holds the state shared by every program of one Object.
type compiler struct {
	prog *ast.Program
	opts Options
	obj  *Object
	errs ast.ErrorList

	maps     map[string]*Map // script maps by script name
	mapInfo  map[string]*ast.MapInfo
	consts   map[string]int64 // #define, enum and #include names
	ringbuf  bool
	scratch  int // size of the scratch map's value; 0 when unused
	hists    map[string]*HistSpec
	config   bool
	frame    int            // size of the frame map's value; 0 when unused
	stacks   map[string]int // stack map name -> frames; ProcessesName when used (stacks.go)
	progName map[string]int
}

// Compile turns a checked program into an Object. Constructs that the code
// generator does not support yet are reported as positioned diagnostics
// (an ast.ErrorList), never compiled into a wrong program.
func Compile(prog *ast.Program, opts Options) (*Object, error) {
	c := newCompiler(prog, opts)
	c.collectHists()
	// The passes: expand every attach point into concrete programs, emit
	// each program, then lay out the maps the programs used.
	for _, p := range prog.Probes {
		for _, spec := range p.Specs {
			for _, pl := range c.expand(spec) {
				c.compileProgram(p, spec, pl)
			}
		}
	}
	c.finishMaps()
	c.patchMapIndexes()
	c.obj.sortWarnings()
	c.errs.Sort()
	if err := c.errs.Err(); err != nil {
		return nil, err
	}
	return c.obj, nil
}

func newCompiler(prog *ast.Program, opts Options) *compiler {
	if opts.MaxStrLen <= 0 {
		opts.MaxStrLen = DefaultMaxStrLen
	}
	if opts.MaxMapKeys <= 0 {
		opts.MaxMapKeys = MaxMapEntries
	}
	c := &compiler{
		prog:     prog,
		opts:     opts,
		obj:      &Object{File: prog.File, Params: append([]string(nil), opts.Params...)},
		maps:     map[string]*Map{},
		mapInfo:  map[string]*ast.MapInfo{},
		progName: map[string]int{},
		consts:   constants(prog),
	}
	for _, mi := range prog.Maps {
		c.mapInfo[mi.Name] = mi
	}
	return c
}

func (c *compiler) errorf(n ast.Node, format string, args ...any) {
	c.errs.Add(c.prog.File, n, format, args...)
}

// uniqueName makes a program name valid for the kernel and unique.
func (c *compiler) uniqueName(probe string) string {
	var b strings.Builder
	for _, r := range probe {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := b.String()
	n := c.progName[name]
	c.progName[name] = n + 1
	if n > 0 {
		name = fmt.Sprintf("%s_%d", name, n)
	}
	return name
}

// gen emits one program.
type gen struct {
	c     *compiler
	probe *ast.Probe
	spec  *ast.ProbeSpec
	plan  *plan
	index int // the program's index in Object.Programs (the probe id)

	insns   asm.Instructions
	pending string            // label for the next instruction
	alias   map[string]string // labels that ended up on the same instruction
	labels  int
	src     asm.Comment
	stack   stackFrame
	regs    *regAlloc
	vars    map[string]*variable
	loops   []loop
	ctxSlot int16
	ctxUsed bool
	failed  bool
	// reported are the nodes failOnce has reported.
	reported map[ast.Node]bool

	// Map iteration callbacks (callbacks.go): the subprograms emitted so
	// far, shared by a program and its callbacks; where exit() and return
	// jump in a callback.
	subprogs *[]asm.Instructions
	out      string
	bigFrame bool // the frame lives in the frame map (bigframe.go)
}

// variable is a scratch variable's stack slot.
type variable struct {
	off int16
	typ *ast.Type
}

// newGen prepares the emission of one program: registers, the context
// slot and the variables' slots.
func (c *compiler) newGen(p *ast.Probe, spec *ast.ProbeSpec, pl *plan, big bool) *gen {
	g := &gen{c: c, probe: p, spec: spec, plan: pl, alias: map[string]string{},
		vars: map[string]*variable{}, index: len(c.obj.Programs)}
	g.regs = newRegAlloc(g, []asm.Register{asm.R6, asm.R7, asm.R8, asm.R9})
	if big {
		g.useBigFrame()
	}
	g.ctxSlot = g.stack.alloc(8)
	g.allocVars(p)
	return g
}

func (c *compiler) compileProgram(p *ast.Probe, spec *ast.ProbeSpec, pl *plan) {
	before := c.snapshot()
	g := c.emitProgram(p, spec, pl, false)
	if g.stack.overrun && !g.failed {
		// Too big for the stack: emit it again with a big frame.
		c.restore(before)
		g = c.emitProgram(p, spec, pl, true)
	}
	if g.stack.overrun {
		c.errorf(p, "the probe needs %d bytes of stack, more than the %d the kernel allows", g.stack.max, g.stack.size())
	}
	if g.failed {
		return
	}
	insns := g.relocateFrame(g.insns)
	if g.ctxUsed {
		var save bool
		if insns, save = ctxFromR1(insns, g.ctxSlot); save {
			st := asm.StoreMem(asm.RFP, g.ctxSlot, asm.R1, asm.DWord).WithSource(insns[0].Source())
			insns = append(asm.Instructions{st}, insns...)
		}
	}
	for i, ins := range insns {
		if to, ok := g.alias[ins.Reference()]; ok && ins.OpCode.Class().IsJump() {
			insns[i] = ins.WithReference(to)
		}
	}
	insns = prune(insns)
	name := c.uniqueName(pl.probe)
	insns = nameProgram(insns, name)
	insns = g.withSubprograms(name, insns)
	c.obj.Programs = append(c.obj.Programs, &Program{
		Name: name, Probe: pl.probe, Pos: spec.Pos(), Type: pl.progType,
		Attach: pl.attach, Insns: insns, License: License,
	})
}

// nameProgram gives the first instruction the program's name as its
// symbol. An instruction carries one symbol, so when a label is already
// there (the head of a loop that starts the program), the label keeps its
// instruction, which the jumps back to it need, and the program starts
// with a harmless one instead.
func nameProgram(insns asm.Instructions, name string) asm.Instructions {
	if insns[0].Symbol() != "" {
		entry := asm.Mov.Imm(asm.R0, 0).WithSource(insns[0].Source())
		insns = append(asm.Instructions{entry}, insns...)
	}
	insns[0] = insns[0].WithSymbol(name)
	return insns
}

// emitProgram emits the instructions of one program, in an ordinary or a
// big frame.
func (c *compiler) emitProgram(p *ast.Probe, spec *ast.ProbeSpec, pl *plan, big bool) *gen {
	g := c.newGen(p, spec, pl, big)
	g.setSource(p)
	if p.Pred != nil {
		g.setSource(p.Pred)
		g.condJump(p.Pred, false, "out")
	}
	g.block(p.Body)
	g.setSource(p.Body)
	g.label("out")
	g.emit(asm.Mov.Imm(asm.R0, 0), asm.Return())
	return g
}

// emit appends instructions, tagged with the current source.
func (g *gen) emit(insns ...asm.Instruction) {
	for _, ins := range insns {
		ins = ins.WithSource(g.src)
		if g.pending != "" {
			ins = ins.WithSymbol(g.pending)
			g.pending = ""
		}
		g.insns = append(g.insns, ins)
	}
}

// newLabel returns a fresh label name.
func (g *gen) newLabel(what string) string {
	g.labels++
	return fmt.Sprintf("%s_%d", what, g.labels)
}

// label places l on the next instruction emitted.
func (g *gen) label(l string) {
	if g.pending != "" {
		g.alias[l] = g.pending
		return
	}
	g.pending = l
}

// setSource makes n's source the comment of the instructions that follow.
func (g *gen) setSource(n ast.Node) {
	g.src = asm.Comment(sourceComment(g.c.prog.Src, n))
}

// sourceComment renders n's position and source text as an instruction
// comment: "3:5-19 @[comm] = count()" (the end column, exclusive, when
// the node ends on its first line), on one line, shortened when long.
func sourceComment(src []byte, n ast.Node) string {
	p, e := n.Pos(), n.End()
	text := ""
	if p.Offset >= 0 && e.Offset <= len(src) && p.Offset <= e.Offset {
		text = strings.Join(strings.Fields(string(src[p.Offset:e.Offset])), " ")
		// Line info rejects NULs; keep the comment printable.
		text = strings.Map(func(r rune) rune {
			if !unicode.IsPrint(r) {
				return '?'
			}
			return r
		}, text)
	}
	if len(text) > 60 {
		text = text[:57] + "..."
	}
	if e.Line == p.Line && e.Col > p.Col {
		return fmt.Sprintf("%d:%d-%d %s", p.Line, p.Col, e.Col, text)
	}
	return fmt.Sprintf("%d:%d %s", p.Line, p.Col, text)
}

// fail reports an unsupported construct and marks the program as failed.
func (g *gen) fail(n ast.Node, format string, args ...any) {
	g.c.errorf(n, format, args...)
	g.failed = true
}

// ctx loads the program's context pointer into dst.
func (g *gen) ctx(dst asm.Register) {
	g.ctxUsed = true
	g.emit(asm.LoadMem(dst, asm.RFP, g.ctxSlot, asm.DWord))
}
