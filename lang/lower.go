package lang

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gbt-project/gbt/lang/ast"
)

// lowerer turns the grammar structs of one top-level item into ast nodes.
// It reports what the grammar cannot express (bad literals, missing
// semicolons, assignments to non-lvalues) and always returns a node.
type lowerer struct {
	p *parser
	// quiet suppresses the syntax errors lowering finds in an item that
	// has lexical errors, which they would only echo.
	quiet bool
}

// span is the source range of a grammar struct: from its first token to
// the end of its last.
func (l *lowerer) span(pos lexer.Position, toks []lexer.Token) ast.Span {
	end := pos.Offset
	if n := len(toks); n > 0 {
		end = toks[n-1].Pos.Offset + len(toks[n-1].Value)
	}
	return ast.Span{Start: l.p.sc.pos(pos.Offset), Stop: l.p.sc.pos(end)}
}

func (l *lowerer) tokSpan(t lexer.Token) ast.Span {
	return ast.Span{Start: l.p.sc.pos(t.Pos.Offset), Stop: l.p.sc.pos(t.Pos.Offset + len(t.Value))}
}

func (l *lowerer) errorf(n ast.Node, format string, args ...any) {
	l.p.errs.Add(l.p.sc.file, n, format, args...)
}

func join(a, b ast.Node) ast.Span { return ast.Span{Start: a.Pos(), Stop: b.End()} }

func (p *parser) lowerPreamble(t lexer.Token) *ast.Preamble {
	l := &lowerer{p: p}
	pre := &ast.Preamble{Span: l.tokSpan(t), Text: t.Value}
	if t.Type == tCDef {
		pre.Kind = ast.PreCDef
		pre.Name = cdefName(t.Value)
		return pre
	}
	fields := strings.Fields(strings.TrimPrefix(t.Value, "#"))
	if len(fields) > 0 && fields[0] == "include" {
		pre.Kind = ast.PreInclude
		if len(fields) > 1 {
			pre.Name = strings.Trim(strings.Join(fields[1:], " "), `<>"`)
		}
		return pre
	}
	pre.Kind = ast.PreDefine
	if len(fields) > 1 {
		name := fields[1]
		if i := strings.IndexByte(name, '('); i >= 0 {
			name = name[:i]
		}
		pre.Name = name
	}
	return pre
}

// cdefName is the name a C definition defines: the tag of a struct, union
// or enum, or the new name of a typedef.
func cdefName(text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	if len(words) == 0 {
		return ""
	}
	if words[0] == "typedef" {
		return words[len(words)-1]
	}
	if len(words) > 1 {
		return words[1]
	}
	return ""
}

func (l *lowerer) config(g *configG) *ast.Config {
	c := &ast.Config{Span: l.span(g.Pos, g.Tokens)}
	for _, it := range g.Items {
		v := l.expr(it.Value)
		switch v.(type) {
		case *ast.IntLit, *ast.StrLit, *ast.BoolLit, *ast.Ident:
		default:
			l.errorf(v, "a config value must be an integer, a string, a boolean or a name")
		}
		c.Items = append(c.Items, &ast.ConfigItem{Span: l.span(it.Pos, it.Tokens), Key: it.Key, Value: v})
	}
	return c
}

func (l *lowerer) macro(g *macroG) *ast.Macro {
	return &ast.Macro{Span: l.span(g.Pos, g.Tokens), Name: g.Name, Params: g.Params, Body: l.block(g.Body)}
}

func (l *lowerer) probe(g *probeG) *ast.Probe {
	pr := &ast.Probe{Span: l.span(g.Pos, g.Tokens)}
	for _, s := range g.Specs {
		pr.Specs = append(pr.Specs, l.spec(s))
	}
	if g.Pred != nil {
		pr.Pred = l.expr(g.Pred)
	}
	pr.Body = l.block(g.Body)
	return pr
}

func (l *lowerer) block(g *blockG) *ast.Block {
	b := &ast.Block{Span: l.span(g.Pos, g.Tokens)}
	for i, it := range g.Items {
		if it.Stmt == nil {
			continue
		}
		st := l.stmt(it.Stmt)
		b.Stmts = append(b.Stmts, st)
		if i+1 < len(g.Items) && g.Items[i+1].Stmt != nil && needsSemi(st) && !l.quiet {
			next := g.Items[i+1].Stmt
			l.p.unexpected(next.Tokens[0], ";")
		}
	}
	return b
}

// needsSemi reports whether a statement must be followed by ';' when
// another statement follows it.
func needsSemi(s ast.Stmt) bool {
	switch s.(type) {
	case *ast.IfStmt, *ast.WhileStmt, *ast.UnrollStmt, *ast.ForStmt, *ast.Block:
		return false
	}
	return true
}

func (l *lowerer) stmt(g *stmtG) ast.Stmt {
	sp := l.span(g.Pos, g.Tokens)
	switch {
	case g.Let != nil:
		s := &ast.LetStmt{Span: sp, Var: l.variable(g.Let.Var)}
		if g.Let.Type != nil {
			s.Type = l.typeExpr(g.Let.Type)
		}
		if g.Let.Value != nil {
			s.Value = l.expr(g.Let.Value)
		}
		return s
	case g.If != nil:
		return l.ifStmt(g.If)
	case g.Unroll != nil:
		return &ast.UnrollStmt{Span: sp, Count: l.expr(g.Unroll.Cond), Body: l.block(g.Unroll.Body)}
	case g.While != nil:
		return &ast.WhileStmt{Span: sp, Cond: l.expr(g.While.Cond), Body: l.block(g.While.Body)}
	case g.For != nil:
		return l.forStmt(sp, g.For)
	case g.Break:
		return &ast.BreakStmt{Span: sp}
	case g.Continue:
		return &ast.ContinueStmt{Span: sp}
	case g.Return != nil:
		s := &ast.ReturnStmt{Span: sp}
		if g.Return.Value != nil {
			s.Value = l.expr(g.Return.Value)
		}
		return s
	case g.Block != nil:
		return l.block(g.Block)
	}
	x := l.expr(g.Expr.X)
	if g.Expr.Op == "" {
		return &ast.ExprStmt{Span: sp, X: x}
	}
	switch x.(type) {
	case *ast.MapExpr, *ast.Var, *ast.Field, *ast.Index, *ast.Unary:
	default:
		l.errorf(x, "cannot assign to this expression")
	}
	return &ast.AssignStmt{Span: sp, Target: x, Op: g.Expr.Op, Value: l.expr(g.Expr.Value)}
}

func (l *lowerer) ifStmt(g *ifG) *ast.IfStmt {
	s := &ast.IfStmt{Span: l.span(g.Pos, g.Tokens), Cond: l.expr(g.Cond), Then: l.block(g.Then)}
	switch {
	case g.ElseIf != nil:
		s.Else = l.ifStmt(g.ElseIf)
	case g.Else != nil:
		s.Else = l.block(g.Else)
	}
	return s
}

func (l *lowerer) forStmt(sp ast.Span, g *forG) *ast.ForStmt {
	s := &ast.ForStmt{Span: sp, Var: l.variable(g.Var), Body: l.block(g.Body)}
	lo := l.expr(g.Lo)
	if g.Hi != nil {
		s.Lo, s.Hi = lo, l.expr(g.Hi)
		return s
	}
	m, ok := lo.(*ast.MapExpr)
	if !ok || m.Keys != nil {
		l.errorf(lo, "a for loop iterates over a map (for ($kv : @m)) or a range (for ($i : lo..hi))")
		s.Lo = lo
		return s
	}
	s.Map = m
	return s
}

func (l *lowerer) variable(g *varG) *ast.Var {
	return &ast.Var{Span: l.span(g.Pos, g.Tokens), Name: g.Name}
}
