package ast

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Dump writes prog as an indented tree, one node per line: the node's
// kind, then its name, operator or value. With types set, each expression
// is followed by ` :: type` (`?` before checking). Children whose role is
// not clear from their order are labelled (`cond:`, `then:`, `else:`,
// `pred:`). Positions are not printed, so the dump of a script and of its
// formatted text are the same. Used by `gbt -d ast` and `gbt -d types`.
func Dump(w io.Writer, prog *Program, types bool) error {
	d := &dumper{types: types}
	d.program(prog)
	_, err := io.WriteString(w, d.b.String())
	return err
}

type dumper struct {
	b     strings.Builder
	depth int
	types bool
}

func (d *dumper) line(role, format string, args ...any) {
	d.b.WriteString(strings.Repeat("  ", d.depth))
	if role != "" {
		d.b.WriteString(role)
		d.b.WriteString(": ")
	}
	fmt.Fprintf(&d.b, format, args...)
	d.b.WriteByte('\n')
}

func (d *dumper) in(f func()) {
	d.depth++
	f()
	d.depth--
}

func (d *dumper) program(p *Program) {
	d.line("", "Program")
	d.in(func() {
		if p.Shebang != "" {
			d.line("", "Shebang %q", p.Shebang)
		}
		for _, pre := range p.Preamble {
			kind := [...]string{"include", "define", "cdef"}[pre.Kind]
			d.line("", "Preamble %s %s %q", kind, pre.Name, pre.Text)
		}
		if p.Config != nil {
			d.line("", "Config")
			d.in(func() {
				for _, it := range p.Config.Items {
					d.line("", "ConfigItem %s", it.Key)
					d.in(func() { d.expr("", it.Value) })
				}
			})
		}
		for _, m := range p.Macros {
			d.line("", "Macro %s(%s)", m.Name, strings.Join(m.Params, ", "))
			d.in(func() { d.stmt("", m.Body) })
		}
		for _, pr := range p.Probes {
			d.line("", "Probe %d", pr.Index)
			d.in(func() {
				for _, s := range pr.Specs {
					d.spec(s)
				}
				if pr.Pred != nil {
					d.expr("pred", pr.Pred)
				}
				d.stmt("", pr.Body)
			})
		}
	})
}

func (d *dumper) spec(s *ProbeSpec) {
	parts := make([]string, len(s.Parts))
	for i, p := range s.Parts {
		parts[i] = strconv.Quote(p)
	}
	extra := ""
	if s.Wildcard {
		extra = " wildcard"
	}
	d.line("", "Spec %s [%s] raw=%q%s", s.Kind, strings.Join(parts, " "), s.Raw, extra)
}

func (d *dumper) stmt(role string, s Stmt) {
	switch s := s.(type) {
	case *Block:
		d.line(role, "Block")
		d.in(func() {
			for _, st := range s.Stmts {
				d.stmt("", st)
			}
		})
	case *ExprStmt:
		d.line(role, "ExprStmt")
		d.in(func() { d.expr("", s.X) })
	case *AssignStmt:
		d.line(role, "AssignStmt %s", s.Op)
		d.in(func() {
			d.expr("", s.Target)
			d.expr("", s.Value)
		})
	case *LetStmt:
		d.line(role, "LetStmt %s", s.Var.Name)
		d.in(func() {
			if s.Type != nil {
				d.expr("type", s.Type)
			}
			if s.Value != nil {
				d.expr("value", s.Value)
			}
		})
	case *IfStmt:
		d.line(role, "IfStmt")
		d.in(func() {
			d.expr("cond", s.Cond)
			d.stmt("then", s.Then)
			if s.Else != nil {
				d.stmt("else", s.Else)
			}
		})
	case *UnrollStmt:
		d.line(role, "UnrollStmt")
		d.in(func() {
			d.expr("count", s.Count)
			d.stmt("", s.Body)
		})
	case *WhileStmt:
		d.line(role, "WhileStmt")
		d.in(func() {
			d.expr("cond", s.Cond)
			d.stmt("", s.Body)
		})
	case *ForStmt:
		d.line(role, "ForStmt %s", s.Var.Name)
		d.in(func() {
			if s.Map != nil {
				d.expr("map", s.Map)
			} else {
				d.expr("lo", s.Lo)
				d.expr("hi", s.Hi)
			}
			d.stmt("", s.Body)
		})
	case *BreakStmt:
		d.line(role, "BreakStmt")
	case *ContinueStmt:
		d.line(role, "ContinueStmt")
	case *ReturnStmt:
		d.line(role, "ReturnStmt")
		if s.Value != nil {
			d.in(func() { d.expr("", s.Value) })
		}
	case nil:
		d.line(role, "<nil>")
	default:
		d.line(role, "%T", s)
	}
}

func (d *dumper) expr(role string, e Expr) {
	if e == nil {
		d.line(role, "<nil>")
		return
	}
	text, kids := describe(e)
	if d.types {
		text += " :: " + e.Type().String()
	}
	d.line(role, "%s", text)
	d.in(func() {
		for _, k := range kids {
			d.expr("", k)
		}
	})
}

// describe gives an expression's line in a dump and its children.
func describe(e Expr) (string, []Expr) {
	switch e := e.(type) {
	case *IntLit:
		if e.Raw != "" && e.Raw != strconv.FormatUint(e.Value, 10) {
			return fmt.Sprintf("IntLit %d (%s)", e.Value, e.Raw), nil
		}
		return fmt.Sprintf("IntLit %d", e.Value), nil
	case *StrLit:
		return "StrLit " + strconv.Quote(e.Value), nil
	case *BoolLit:
		return fmt.Sprintf("BoolLit %t", e.Value), nil
	case *Var:
		return "Var " + e.Name, nil
	case *Positional:
		if e.Count {
			return "Positional $#", nil
		}
		return fmt.Sprintf("Positional $%d", e.N), nil
	case *MapExpr:
		return "MapExpr " + e.Name, e.Keys
	case *Ident:
		return "Ident " + e.Name, nil
	case *Call:
		return "Call " + e.Name, e.Args
	case *Binary:
		return "Binary " + e.Op, []Expr{e.X, e.Y}
	case *Unary:
		return "Unary " + e.Op, []Expr{e.X}
	case *IncDec:
		if e.Post {
			return "IncDec post" + e.Op, []Expr{e.X}
		}
		return "IncDec pre" + e.Op, []Expr{e.X}
	case *Ternary:
		return "Ternary", []Expr{e.Cond, e.Then, e.Else}
	case *Cast:
		return "Cast " + TypeString(e.To), []Expr{e.X}
	case *Field:
		if e.Arrow {
			return "Field ->" + e.Name, []Expr{e.X}
		}
		return "Field ." + e.Name, []Expr{e.X}
	case *Index:
		return "Index", []Expr{e.X, e.I}
	case *Tuple:
		return "Tuple", e.Elems
	case *TupleIndex:
		return fmt.Sprintf("TupleIndex .%d", e.N), []Expr{e.X}
	case *TypeExpr:
		return "TypeExpr " + TypeString(e), nil
	}
	return fmt.Sprintf("%T", e), nil
}

// TypeString renders a written type as in source: `uint32`,
// `struct task_struct *`, `int8[4]`.
func TypeString(t *TypeExpr) string {
	if t == nil {
		return "?"
	}
	s := t.Name
	if t.Ptr > 0 {
		s += " " + strings.Repeat("*", t.Ptr)
	}
	if t.Array > 0 {
		s += fmt.Sprintf("[%d]", t.Array)
	}
	return s
}
