package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/lang"
	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/runtime"
)

// The REPL's program is the concatenation of the blocks the user typed,
// each starting on a new line. A new block is parsed, checked and compiled
// as part of the whole program, through the same path as `gbt -e`
// (frontEnd, then codegen.Compile with hostOptions and withSettings), so
// that map types stay consistent across blocks; then only the new block's
// programs are loaded (runtime.Session.Add). Detached blocks stay in the
// program: their maps live on, and the programs, printf formats and
// strftime formats of the earlier blocks keep their indices in every
// later Object, which the maps' probe-name keys rely on. Diagnostics are
// positioned in the whole program and drawn against the block they fall
// in.

// replBlock is one block of the session's program.
type replBlock struct {
	n        int    // the block's number, from 1, what .probes and .detach use; 0 when it loads nothing
	text     string // as typed, without a final newline
	programs int    // how many programs it loaded
	live     *runtime.Block
	detached bool
}

// program is the session's source with the new block at its end.
type program struct {
	src    []byte
	blocks []*replBlock // the blocks in src, the new one last
	starts []int        // the offset at which each block starts
	lines  []int        // the line on which each block starts, from 1
}

// compose joins the blocks' texts, one after another.
func compose(blocks []*replBlock) *program {
	p := &program{blocks: blocks}
	var b strings.Builder
	line := 1
	for _, bl := range blocks {
		p.starts = append(p.starts, b.Len())
		p.lines = append(p.lines, line)
		b.WriteString(bl.text)
		b.WriteByte('\n')
		line += strings.Count(bl.text, "\n") + 1
	}
	p.src = []byte(b.String())
	return p
}

// newStart is the offset of the new block in src.
func (p *program) newStart() int { return p.starts[len(p.starts)-1] }

// compile parses, checks and compiles the whole program, and returns the
// Object, the programs of the new block and the program's settings.
func (r *repl) compile(p *program) (*codegen.Object, []*codegen.Program, lang.Settings, error) {
	prog, settings, err := frontEnd(r.o, replFile, p.src)
	if err != nil {
		return nil, nil, settings, err
	}
	obj, err := codegen.Compile(prog, withSettings(r.host, settings))
	if err != nil {
		return nil, nil, settings, err
	}
	var progs []*codegen.Program
	for _, pr := range obj.Programs {
		if pr.Pos.Offset >= p.newStart() {
			progs = append(progs, pr)
		}
	}
	return obj, progs, settings, nil
}

// replFile is the file name of the session's program in diagnostics
// before they are drawn against their block.
const replFile = "repl"

// render draws an error of the compile or the load: each diagnostic
// against the block it falls in, named "stdin" for the block just typed
// and "block N" for an earlier one.
func (p *program) render(err error) string {
	var list ast.ErrorList
	var d *ast.Diagnostic
	var le *runtime.LoadError
	switch {
	case errors.As(err, &list):
	case errors.As(err, &d):
		list = ast.ErrorList{d}
	case errors.As(err, &le) && le.Report != nil && le.Report.Diagnostic(replFile) != nil:
		list = ast.ErrorList{le.Report.Diagnostic(replFile)}
	default:
		return fmt.Sprintf("gbt: %v\n", err)
	}
	var b strings.Builder
	for _, d := range list {
		b.WriteString(p.renderIn(d, p.blockName))
	}
	return b.String()
}

// blockName names block i in diagnostics drawn while it is typed:
// "stdin" for the new block, "block N" for an earlier one.
func (p *program) blockName(i int) string {
	if i == len(p.blocks)-1 {
		return "stdin"
	}
	return fmt.Sprintf("block %d", p.blocks[i].n)
}

// renderIn draws d, positioned in the whole program, against the block
// it falls in, naming the file name(i) for block i.
func (p *program) renderIn(d *ast.Diagnostic, name func(i int) string) string {
	i := p.blockAt(d.Pos.Offset)
	bd := *d
	bd.File = name(i)
	text := []byte(p.blocks[i].text)
	bd.Pos = p.rebase(i, d.Pos)
	bd.End = p.rebase(i, d.End)
	if d.End.Offset > p.starts[i]+len(text) {
		bd.End = endOf(text)
	}
	return bd.Render(text)
}

// warnings draws the compiler's warnings about the new block, as a
// script's are drawn; the earlier blocks' were drawn when they were
// typed.
func (p *program) warnings(obj *codegen.Object) string {
	var b strings.Builder
	for _, w := range obj.Warnings {
		if w.Pos.Offset >= p.newStart() {
			d := &ast.Diagnostic{Pos: w.Pos, End: w.End, Msg: w.Msg, Warning: true}
			b.WriteString(p.renderIn(d, p.blockName))
		}
	}
	return b.String()
}

// placeRuntimeErrors redraws the texts of obj's runtime errors (a
// division by zero), which the compiler drew against the whole program,
// against their blocks, each named "block N" since they print while
// other blocks are typed; n is the number the new block will get.
// obj.RuntimeErrors is replaced, not changed in place.
func (p *program) placeRuntimeErrors(obj *codegen.Object, n int) {
	name := func(i int) string {
		if i == len(p.blocks)-1 {
			return fmt.Sprintf("block %d", n)
		}
		return fmt.Sprintf("block %d", p.blocks[i].n)
	}
	placed := make([]*codegen.RuntimeError, len(obj.RuntimeErrors))
	for i, e := range obj.RuntimeErrors {
		d := &ast.Diagnostic{Pos: e.Pos, End: e.End, Msg: e.Msg, Warning: true}
		re := *e
		re.Text = p.renderIn(d, name)
		placed[i] = &re
	}
	obj.RuntimeErrors = placed
}

// blockAt returns the index of the block holding offset.
func (p *program) blockAt(offset int) int {
	i := len(p.starts) - 1
	for i > 0 && p.starts[i] > offset {
		i--
	}
	return i
}

// rebase makes a position in src relative to block i's text.
func (p *program) rebase(i int, pos ast.Pos) ast.Pos {
	if !pos.IsValid() {
		return pos
	}
	return ast.Pos{Offset: pos.Offset - p.starts[i], Line: pos.Line - p.lines[i] + 1, Col: pos.Col}
}

// endOf is the position just past the end of text.
func endOf(text []byte) ast.Pos {
	last := bytes.LastIndexByte(text, '\n')
	return ast.Pos{Offset: len(text), Line: 1 + bytes.Count(text, []byte("\n")), Col: len(text) - last}
}

// script is the text .save writes: the blocks still loaded (and those
// that load nothing, such as #define lines, which later blocks may use),
// in order, one blank line apart, as a runnable script.
func script(blocks []*replBlock) string {
	var parts []string
	for _, b := range blocks {
		if !b.detached {
			parts = append(parts, b.text)
		}
	}
	return strings.Join(parts, "\n\n") + "\n"
}
