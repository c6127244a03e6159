package ast

import (
	"fmt"
	"strconv"
	"strings"
)

// Format renders prog as canonical bpftrace source: the shebang, the
// preamble, the config block, the macros, then the probes, each block
// indented by four spaces, every simple statement ending in ';', and only
// the parentheses that precedence requires. Parsing the result gives the
// same tree (positions aside).
func Format(prog *Program) string {
	f := &formatter{}
	if prog.Shebang != "" {
		f.b.WriteString(prog.Shebang + "\n")
	}
	for _, p := range prog.Preamble {
		f.b.WriteString(p.Text + "\n")
	}
	sep := func() {
		if f.b.Len() > 0 {
			f.b.WriteString("\n")
		}
	}
	if c := prog.Config; c != nil {
		sep()
		f.b.WriteString("config = {\n")
		for _, it := range c.Items {
			fmt.Fprintf(&f.b, "    %s = %s;\n", it.Key, f.expr(it.Value, 0))
		}
		f.b.WriteString("}\n")
	}
	for _, m := range prog.Macros {
		sep()
		fmt.Fprintf(&f.b, "macro %s(%s) ", m.Name, strings.Join(m.Params, ", "))
		f.valueBlock = true
		f.block(m.Body)
		f.valueBlock = false
		f.b.WriteString("\n")
	}
	for _, p := range prog.Probes {
		sep()
		for i, s := range p.Specs {
			if i > 0 {
				f.b.WriteString(",\n")
			}
			f.b.WriteString(s.Raw)
		}
		if p.Pred != nil {
			f.b.WriteString(" /" + f.expr(p.Pred, 0) + "/")
		}
		f.b.WriteString(" ")
		f.block(p.Body)
		f.b.WriteString("\n")
	}
	return f.b.String()
}

type formatter struct {
	b     strings.Builder
	depth int
	// valueBlock is set for a macro body, whose last expression statement
	// is the macro's value and is written without its ';'.
	valueBlock bool
}

func (f *formatter) indent() { f.b.WriteString(strings.Repeat("    ", f.depth)) }

func (f *formatter) block(b *Block) {
	if len(b.Stmts) == 0 {
		f.b.WriteString("{}")
		return
	}
	f.b.WriteString("{\n")
	value := f.valueBlock
	f.valueBlock = false
	f.depth++
	for i, s := range b.Stmts {
		f.indent()
		if x, ok := s.(*ExprStmt); ok && value && i == len(b.Stmts)-1 {
			f.b.WriteString(f.expr(x.X, 0))
		} else {
			f.stmt(s)
		}
		f.b.WriteString("\n")
	}
	f.depth--
	f.indent()
	f.b.WriteString("}")
}

func (f *formatter) stmt(s Stmt) {
	switch s := s.(type) {
	case *Block:
		f.block(s)
	case *ExprStmt:
		f.b.WriteString(f.expr(s.X, 0) + ";")
	case *AssignStmt:
		fmt.Fprintf(&f.b, "%s %s %s;", f.expr(s.Target, 0), s.Op, f.expr(s.Value, 0))
	case *LetStmt:
		f.b.WriteString("let " + s.Var.Name)
		if s.Type != nil {
			f.b.WriteString(": " + TypeString(s.Type))
		}
		if s.Value != nil {
			f.b.WriteString(" = " + f.expr(s.Value, 0))
		}
		f.b.WriteString(";")
	case *IfStmt:
		f.ifStmt(s)
	case *UnrollStmt:
		f.b.WriteString("unroll (" + f.expr(s.Count, 0) + ") ")
		f.block(s.Body)
	case *WhileStmt:
		f.b.WriteString("while (" + f.expr(s.Cond, 0) + ") ")
		f.block(s.Body)
	case *ForStmt:
		if s.Map != nil {
			fmt.Fprintf(&f.b, "for (%s : %s) ", s.Var.Name, f.expr(s.Map, 0))
		} else {
			fmt.Fprintf(&f.b, "for (%s : %s..%s) ", s.Var.Name, f.expr(s.Lo, 0), f.expr(s.Hi, 0))
		}
		f.block(s.Body)
	case *BreakStmt:
		f.b.WriteString("break;")
	case *ContinueStmt:
		f.b.WriteString("continue;")
	case *ReturnStmt:
		if s.Value == nil {
			f.b.WriteString("return;")
		} else {
			f.b.WriteString("return " + f.expr(s.Value, 0) + ";")
		}
	}
}

func (f *formatter) ifStmt(s *IfStmt) {
	f.b.WriteString("if (" + f.expr(s.Cond, 0) + ") ")
	f.block(s.Then)
	switch e := s.Else.(type) {
	case *IfStmt:
		f.b.WriteString(" else ")
		f.ifStmt(e)
	case *Block:
		f.b.WriteString(" else ")
		f.block(e)
	}
}

// Precedence levels for printing: ternary 0, binary operators 1 to 10 (as
// in package lang), prefix operators and casts 11, postfix 12, operands 13.
var binaryLevel = map[string]int{
	"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5,
	"==": 6, "!=": 6, "<": 7, "<=": 7, ">": 7, ">=": 7,
	"<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}

const (
	levelPrefix  = 11
	levelPostfix = 12
	levelOperand = 13
)

func level(e Expr) int {
	switch e := e.(type) {
	case *Ternary:
		return 0
	case *Binary:
		return binaryLevel[e.Op]
	case *Unary, *Cast:
		return levelPrefix
	case *IncDec:
		if e.Post {
			return levelPostfix
		}
		return levelPrefix
	case *Field, *Index, *TupleIndex:
		return levelPostfix
	}
	return levelOperand
}

// expr renders e, in parentheses if its level is below min.
func (f *formatter) expr(e Expr, min int) string {
	s := f.bare(e)
	if level(e) < min {
		return "(" + s + ")"
	}
	return s
}

func (f *formatter) bare(e Expr) string {
	switch e := e.(type) {
	case *IntLit:
		if e.Raw != "" {
			return e.Raw
		}
		return strconv.FormatUint(e.Value, 10)
	case *StrLit:
		return Quote(e.Value)
	case *BoolLit:
		return strconv.FormatBool(e.Value)
	case *Var:
		return e.Name
	case *Positional:
		if e.Count {
			return "$#"
		}
		return "$" + strconv.Itoa(e.N)
	case *MapExpr:
		if e.Keys == nil {
			return e.Name
		}
		return e.Name + "[" + f.list(e.Keys) + "]"
	case *Ident:
		return e.Name
	case *Call:
		return e.Name + "(" + f.list(e.Args) + ")"
	case *Binary:
		p := binaryLevel[e.Op]
		return f.expr(e.X, p) + " " + e.Op + " " + f.expr(e.Y, p+1)
	case *Unary:
		return prefix(e.Op, f.expr(e.X, levelPrefix))
	case *IncDec:
		if e.Post {
			return f.expr(e.X, levelPostfix) + e.Op
		}
		return prefix(e.Op, f.expr(e.X, levelPrefix))
	case *Ternary:
		return f.expr(e.Cond, 1) + " ? " + f.expr(e.Then, 0) + " : " + f.expr(e.Else, 0)
	case *Cast:
		return "(" + TypeString(e.To) + ")" + f.expr(e.X, levelPrefix)
	case *Field:
		if e.Arrow {
			return f.expr(e.X, levelPostfix) + "->" + e.Name
		}
		return f.expr(e.X, levelPostfix) + "." + e.Name
	case *Index:
		return f.expr(e.X, levelPostfix) + "[" + f.expr(e.I, 0) + "]"
	case *Tuple:
		return "(" + f.list(e.Elems) + ")"
	case *TupleIndex:
		return f.expr(e.X, levelPostfix) + "." + strconv.Itoa(e.N)
	case *TypeExpr:
		return TypeString(e)
	}
	return fmt.Sprintf("<%T>", e)
}

// prefix joins a prefix operator and its operand, with a space where the
// two would otherwise lex as another token (`- -x`, `& &x`).
func prefix(op, x string) string {
	if x != "" && strings.ContainsRune("-+&", rune(x[0])) && strings.ContainsRune("-+&", rune(op[len(op)-1])) {
		return op + " " + x
	}
	return op + x
}

func (f *formatter) list(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = f.expr(e, 0)
	}
	return strings.Join(parts, ", ")
}

// Quote renders s as a bpftrace string literal.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, `\x%02x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
