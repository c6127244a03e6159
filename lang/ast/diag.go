package ast

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// Diagnostic is one positioned problem found in a script, by any stage.
type Diagnostic struct {
	File string
	Pos  Pos    // first byte
	End  Pos    // one past the last byte; may equal Pos
	Msg  string // "unknown builtin 'pdi'"
	Hint string // optional second line: "did you mean 'pid'?"

	// Warning makes it a warning ("WARNING:" instead of "ERROR:"), as
	// for a runtime error that the script survives.
	Warning bool
}

func (d *Diagnostic) Error() string {
	if d.Warning {
		return fmt.Sprintf("%s: WARNING: %s", d.location(), d.Msg)
	}
	return fmt.Sprintf("%s: ERROR: %s", d.location(), d.Msg)
}

// location renders "file:line:col-endcol" as bpftrace does
// ("script.bt:3:5-12", the end column exclusive); a span over several lines
// gives "file:line:col".
func (d *Diagnostic) location() string {
	loc := fmt.Sprintf("%s:%d:%d", d.File, d.Pos.Line, d.Pos.Col)
	if d.End.Line == d.Pos.Line && d.End.Col >= d.Pos.Col {
		loc += fmt.Sprintf("-%d", d.End.Col)
	}
	return loc
}

// ErrorList is a list of diagnostics. It is an error when not empty.
type ErrorList []*Diagnostic

// Add appends a diagnostic covering node n.
func (l *ErrorList) Add(file string, n Node, format string, args ...any) *Diagnostic {
	d := &Diagnostic{File: file, Pos: n.Pos(), End: n.End(), Msg: fmt.Sprintf(format, args...)}
	*l = append(*l, d)
	return d
}

// Sort orders the list by position, then message; exact duplicates are removed.
func (l *ErrorList) Sort() {
	s := *l
	sort.SliceStable(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Pos.Offset != b.Pos.Offset {
			return a.Pos.Offset < b.Pos.Offset
		}
		if a.End.Offset != b.End.Offset {
			return a.End.Offset < b.End.Offset
		}
		return a.Msg < b.Msg
	})
	out := s[:0]
	for i, d := range s {
		if i > 0 {
			p := out[len(out)-1]
			if p.File == d.File && p.Pos == d.Pos && p.End == d.End && p.Msg == d.Msg {
				continue
			}
		}
		out = append(out, d)
	}
	*l = out
}

// Err returns nil for an empty list and the list itself otherwise.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Render draws every diagnostic as bpftrace does: the location and message,
// the source line, and a line of '~' under the span (a '^' for an empty
// span), then the hint if any. src is the text the positions refer to.
func (l ErrorList) Render(src []byte) string {
	var b bytes.Buffer
	for _, d := range l {
		b.WriteString(d.Render(src))
	}
	return b.String()
}

// Render draws one diagnostic; see ErrorList.Render.
func (d *Diagnostic) Render(src []byte) string {
	var b strings.Builder
	b.WriteString(d.Error())
	b.WriteByte('\n')
	if line, ok := sourceLine(src, d.Pos.Line); ok {
		b.WriteString(expandTabs(line))
		b.WriteByte('\n')
		start := visualCol(line, d.Pos.Col)
		end := start + 1
		if d.End.Line == d.Pos.Line && d.End.Col > d.Pos.Col {
			end = visualCol(line, d.End.Col)
		} else if d.End.Line > d.Pos.Line {
			end = visualCol(line, len(line)+1)
		}
		if end <= start {
			end = start + 1
		}
		b.WriteString(strings.Repeat(" ", start-1))
		if d.End == d.Pos {
			b.WriteString("^")
		} else {
			b.WriteString(strings.Repeat("~", end-start))
		}
		b.WriteByte('\n')
	}
	if d.Hint != "" {
		b.WriteString("HINT: ")
		b.WriteString(d.Hint)
		b.WriteByte('\n')
	}
	return b.String()
}

func sourceLine(src []byte, n int) (string, bool) {
	if n < 1 {
		return "", false
	}
	lines := bytes.Split(src, []byte("\n"))
	if n > len(lines) {
		return "", false
	}
	return strings.TrimRight(string(lines[n-1]), "\r"), true
}

// tabWidth is the number of spaces a tab in a source line is drawn as.
// Like bpftrace, each tab becomes this many spaces (no tab stops).
const tabWidth = 4

// visualCol maps a byte column to a screen column, a tab counting as
// tabWidth columns.
func visualCol(line string, col int) int {
	v := 1
	for i := 0; i < col-1 && i < len(line); i++ {
		if line[i] == '\t' {
			v += tabWidth
		} else {
			v++
		}
	}
	if col-1 > len(line) {
		v += col - 1 - len(line)
	}
	return v
}

func expandTabs(line string) string {
	return strings.ReplaceAll(line, "\t", strings.Repeat(" ", tabWidth))
}

// OpSpan finds the operator op in src between the nodes x and y (the
// operands of a binary expression or an assignment's target and value),
// as bpftrace positions diagnostics about an operator. ok is false when
// src does not show op there.
func OpSpan(src []byte, x, y Node, op string) (sp Span, ok bool) {
	lo, hi := x.End().Offset, y.Pos().Offset
	if lo < 0 || hi > len(src) || lo > hi {
		return Span{}, false
	}
	i := bytes.Index(src[lo:hi], []byte(op))
	if i < 0 {
		return Span{}, false
	}
	start := x.End()
	for _, b := range src[lo : lo+i] {
		if b == '\n' {
			start.Line++
			start.Col = 1
		} else {
			start.Col++
		}
	}
	start.Offset = lo + i
	stop := start
	stop.Offset += len(op)
	stop.Col += len(op)
	return Span{Start: start, Stop: stop}, true
}
