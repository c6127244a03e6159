package lang

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gbt-project/gbt/lang/ast"
)

// Parse parses a bpftrace script. The error, if any, is an ast.ErrorList
// sorted by position; the program returned alongside it holds every
// top-level item that parsed. Parse never panics.
//
// The script is scanned once into tokens and top-level items (preamble
// lines, C definitions, the config block, macros and probes, found by
// brace matching). Each config block, macro and probe is parsed on its own
// by the participle grammar and lowered into package ast, so that a syntax
// error in one probe does not hide the errors of the next.
func Parse(filename string, src []byte) (prog *ast.Program, err error) {
	p := &parser{sc: newScanner(filename, src)}
	prog = &ast.Program{File: filename, Src: src}
	defer func() {
		if r := recover(); r != nil {
			p.errs = append(p.errs, &ast.Diagnostic{File: filename, Pos: p.sc.pos(0), End: p.sc.pos(0),
				Msg: fmt.Sprintf("internal error in the parser: %v", r)})
		}
		p.errs.Sort()
		err = p.errs.Err()
	}()
	p.sc.run()
	p.errs = append(p.errs, p.sc.errs...)
	prog.Span = ast.Span{Start: p.sc.pos(0), Stop: p.sc.pos(len(src))}
	prog.Shebang = p.sc.shebang
	for _, it := range p.sc.items {
		p.item(prog, it)
	}
	return prog, err
}

type parser struct {
	sc   *scanner
	errs ast.ErrorList
}

func (p *parser) errorf(lo, hi int, format string, args ...any) {
	p.errs = append(p.errs, &ast.Diagnostic{File: p.sc.file, Pos: p.sc.pos(lo), End: p.sc.pos(hi), Msg: fmt.Sprintf(format, args...)})
}

// item parses and lowers one top-level item.
func (p *parser) item(prog *ast.Program, it item) {
	toks := p.sc.toks[it.lo:it.hi]
	if first := toks[0]; first.Type == tPreamble || first.Type == tCDef {
		prog.Preamble = append(prog.Preamble, p.lowerPreamble(first))
		if len(toks) > 1 {
			p.unexpected(toks[1], "")
		}
		return
	}
	last := toks[len(toks)-1]
	end := last.Pos.Offset + len(last.Value)
	eof := lexer.EOFToken(p.sc.lpos(end))
	lex, err := lexer.Upgrade(&sliceLexer{toks: toks, eof: eof})
	if err != nil {
		p.errorf(toks[0].Pos.Offset, end, "%v", err)
		return
	}
	lexErr := p.lexErrorWithin(toks[0].Pos.Offset, end)
	top, err := itemParser().ParseFromLexer(lex)
	if err != nil {
		if !lexErr {
			p.syntaxError(err)
		}
		return
	}
	l := &lowerer{p: p, quiet: lexErr}
	switch {
	case top.Config != nil:
		if prog.Config != nil {
			p.errorf(top.Config.Pos.Offset, top.Config.Pos.Offset+len("config"), "duplicate config block")
			return
		}
		prog.Config = l.config(top.Config)
	case top.Macro != nil:
		prog.Macros = append(prog.Macros, l.macro(top.Macro))
	case top.Probe != nil:
		pr := l.probe(top.Probe)
		pr.Index = len(prog.Probes)
		prog.Probes = append(prog.Probes, pr)
	}
}

// lexErrorWithin reports whether the scanner already found a problem in
// [lo, hi]; the parser's complaint would then only repeat it.
func (p *parser) lexErrorWithin(lo, hi int) bool {
	for _, d := range p.sc.errs {
		if d.Pos.Offset >= lo && d.Pos.Offset <= hi {
			return true
		}
	}
	return false
}

func (p *parser) syntaxError(err error) {
	var ute *participle.UnexpectedTokenError
	if errors.As(err, &ute) {
		p.unexpected(ute.Unexpected, expectation(ute))
		return
	}
	var perr participle.Error
	if errors.As(err, &perr) {
		off := perr.Position().Offset
		p.errorf(off, off, "syntax error, %s", perr.Message())
		return
	}
	p.errorf(0, 0, "syntax error: %v", err)
}

// unexpected reports a token the grammar did not allow, in bpftrace's words.
func (p *parser) unexpected(tok lexer.Token, expect string) {
	msg := "syntax error, unexpected " + describeToken(tok)
	if expect != "" {
		msg += ", expecting " + expect
	}
	p.errorf(tok.Pos.Offset, tok.Pos.Offset+len(tok.Value), "%s", msg)
}

// describeToken names a token as bpftrace's parser does: by its kind for
// names and literals ("identifier", "integer"), by itself for punctuation.
func describeToken(tok lexer.Token) string {
	switch tok.Type {
	case lexer.EOF:
		return "end of file"
	case tIdent:
		return "identifier"
	case tType:
		return "type"
	case tInt:
		return "integer"
	case tString:
		return "string"
	case tVar:
		return "variable"
	case tPositional:
		return "positional parameter"
	case tMap:
		return "map"
	case tSpec:
		return "probe"
	case tPreamble, tCDef:
		return "C definition"
	}
	return tok.Value
}

// expectation names the first thing participle says it expected, such as
// `;`; participle describes the rest of the production in EBNF, of which
// the first term is what the user needs. Like bpftrace, it names no
// expectation where an expression was expected (too many tokens can start
// one), and where a list of arguments, tuple elements or map keys may end
// or go on it names both: `) or ","`.
func expectation(ute *participle.UnexpectedTokenError) string {
	msg := ute.Message()
	i := strings.Index(msg, "(expected ")
	if i < 0 {
		return ""
	}
	switch msg[i:] {
	case `(expected ")")`:
		return `) or ","`
	case `(expected "]")`:
		return `] or ","`
	}
	want := strings.TrimLeft(msg[i+len("(expected "):], "( ")
	switch {
	case want == "":
		return ""
	case want[0] == '"':
		if end := strings.IndexByte(want[1:], '"'); end >= 0 {
			return want[1 : 1+end]
		}
	case want[0] == '<':
		if end := strings.IndexByte(want, '>'); end >= 0 {
			return expectNames[want[1:end]]
		}
	default:
		end := strings.IndexFunc(want, func(r rune) bool { return !unicode.IsLetter(r) })
		if end < 0 {
			end = len(want)
		}
		return expectNames[want[:end]]
	}
	return ""
}

// expectNames names the token types and grammar productions participle
// may say it expected.
var expectNames = map[string]string{
	"predclose":  "/",
	"ident":      "identifier",
	"keyword":    "identifier",
	"type":       "type",
	"int":        "integer",
	"string":     "string",
	"var":        "variable",
	"map":        "map",
	"spec":       "probe",
	"positional": "positional parameter",
	"BlockG":     "{",
	"IfG":        "if",
	"SpecG":      "probe",
	"TypeG":      "type",
	"VarG":       "variable",
	"BinOpG":     "operator",
}

// sliceLexer feeds an already scanned token slice to participle.
type sliceLexer struct {
	toks []lexer.Token
	eof  lexer.Token
}

func (s *sliceLexer) Next() (lexer.Token, error) {
	if len(s.toks) == 0 {
		return s.eof, nil
	}
	t := s.toks[0]
	s.toks = s.toks[1:]
	return t, nil
}

// scriptLexer is the lexer.Definition of the grammar: it names the token
// types. Parse feeds the parser token ranges directly; Lex is the same
// scanner for a whole script, for tools that want the token stream.
type scriptLexer struct{ symbols map[string]lexer.TokenType }

func (d scriptLexer) Symbols() map[string]lexer.TokenType { return d.symbols }

func (scriptLexer) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	sc := newScanner(filename, src)
	sc.run()
	if err := sc.errs.Err(); err != nil {
		return nil, err
	}
	return &sliceLexer{toks: sc.toks, eof: lexer.EOFToken(sc.lpos(len(src)))}, nil
}
