package lang

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gbt-project/gbt/lang/ast"
)

// Token types produced by the scanner. participle refers to them by the
// names in tokenSymbols.
const (
	tIdent lexer.TokenType = iota + 1
	tKeyword
	tType
	tInt
	tString
	tVar
	tPositional
	tMap
	tPunct
	tSpec
	tPredOpen
	tPredClose
	tPreamble
	tCDef
)

var tokenSymbols = map[string]lexer.TokenType{
	"EOF":        lexer.EOF,
	"Ident":      tIdent,
	"Keyword":    tKeyword,
	"Type":       tType,
	"Int":        tInt,
	"String":     tString,
	"Var":        tVar,
	"Positional": tPositional,
	"Map":        tMap,
	"Punct":      tPunct,
	"Spec":       tSpec,
	"PredOpen":   tPredOpen,
	"PredClose":  tPredClose,
	"Preamble":   tPreamble,
	"CDef":       tCDef,
}

var keywords = map[string]bool{
	"if": true, "else": true, "while": true, "for": true, "unroll": true,
	"let": true, "return": true, "break": true, "continue": true,
	"true": true, "false": true, "struct": true, "union": true, "enum": true,
}

// typeNames are the identifiers that name a type. They are their own token
// type, so that `(uint32)x` (a cast) and `(x)` (a parenthesis) differ in
// their second token and sizeof's argument can be a type.
var typeNames = map[string]bool{
	"bool": true, "string": true, "void": true, "char": true, "short": true,
	"int": true, "long": true, "unsigned": true, "signed": true,
	"int8": true, "int16": true, "int32": true, "int64": true,
	"uint8": true, "uint16": true, "uint32": true, "uint64": true,
}

// punctuation, longest first within each first byte.
var puncts = []string{
	"<<=", ">>=",
	"->", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
	"<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "..",
	"+", "-", "*", "/", "%", "&", "|", "^", "!", "~", "<", ">", "=",
	"?", ":", ";", ",", ".", "(", ")", "{", "}", "[", "]",
}

// item is one top-level item of a script: a token range of scanner.toks.
type item struct{ lo, hi int }

// scanner splits a script into tokens and top-level items. It is written by
// hand because the language is context sensitive at the top level: a probe
// spec such as `uprobe:/bin/bash:readline` contains '/' and '*', while the
// predicate after it is delimited by '/'. Inside items it is an ordinary
// C-like tokenizer. Lexical errors are collected and scanning goes on.
type scanner struct {
	file    string
	src     []byte
	off     int
	lines   []int // offsets at which lines start
	toks    []lexer.Token
	items   []item
	shebang string
	errs    ast.ErrorList

	// nest counts open brackets and prefixes counts consecutive prefix
	// operators, to bound the parser's recursion (see maxNesting).
	nest, prefixes int
}

// maxNesting bounds how deeply brackets and prefix operators may nest: the
// parser recurses on both, and a Go stack overflow cannot be recovered.
const maxNesting = 500

func newScanner(file string, src []byte) *scanner {
	s := &scanner{file: file, src: src, lines: []int{0}}
	for i, c := range src {
		if c == '\n' {
			s.lines = append(s.lines, i+1)
		}
	}
	return s
}

// pos converts a byte offset into a position.
func (s *scanner) pos(off int) ast.Pos {
	line := sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > off }) - 1
	return ast.Pos{Offset: off, Line: line + 1, Col: off - s.lines[line] + 1}
}

func (s *scanner) lpos(off int) lexer.Position {
	p := s.pos(off)
	return lexer.Position{Filename: s.file, Offset: off, Line: p.Line, Column: p.Col}
}

func (s *scanner) errorf(lo, hi int, format string, args ...any) {
	s.errs = append(s.errs, &ast.Diagnostic{File: s.file, Pos: s.pos(lo), End: s.pos(hi), Msg: fmt.Sprintf(format, args...)})
}

func (s *scanner) emit(typ lexer.TokenType, lo, hi int) {
	if typ != tPunct {
		s.prefixes = 0
	}
	s.toks = append(s.toks, lexer.Token{Type: typ, Value: string(s.src[lo:hi]), Pos: s.lpos(lo)})
}

func (s *scanner) peekByte(off int) byte {
	if off < len(s.src) {
		return s.src[off]
	}
	return 0
}

// run scans the whole script.
func (s *scanner) run() {
	if bytes.HasPrefix(s.src, []byte("#!")) {
		end := lineEnd(s.src, 0)
		s.shebang = string(bytes.TrimRight(s.src[:end], "\r"))
		s.off = end
	}
	for {
		s.skipSpace()
		if s.off >= len(s.src) {
			return
		}
		start := len(s.toks)
		c := s.src[s.off]
		switch {
		case c == '#':
			s.directive()
		case c == ';':
			s.off++ // a stray ';' between items, as after `struct x {...};`
			continue
		case c == '}':
			s.errorf(s.off, s.off+1, "unmatched '}'")
			s.off++
			continue
		case isIdentStart(c):
			switch w := s.word(s.off); w {
			case "struct", "union", "enum", "typedef":
				s.cdef()
			case "config", "macro":
				if w == "config" && s.nextNonSpace(s.off+len(w)) != '=' {
					s.probeItem()
				} else {
					s.block()
				}
			default:
				s.probeItem()
			}
		default:
			s.probeItem()
		}
		if len(s.toks) > start {
			s.items = append(s.items, item{start, len(s.toks)})
		}
	}
}

func lineEnd(src []byte, off int) int {
	if i := bytes.IndexByte(src[off:], '\n'); i >= 0 {
		return off + i
	}
	return len(src)
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isIdentByte(c byte) bool { return isIdentStart(c) || '0' <= c && c <= '9' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func (s *scanner) word(off int) string {
	end := off
	for end < len(s.src) && isIdentByte(s.src[end]) {
		end++
	}
	return string(s.src[off:end])
}

// nextNonSpace returns the first byte at or after off that is not white
// space or part of a comment, or 0 at the end.
func (s *scanner) nextNonSpace(off int) byte {
	save, nerr := s.off, len(s.errs)
	s.off = off
	s.skipSpace()
	c := s.peekByte(s.off)
	s.off, s.errs = save, s.errs[:nerr]
	return c
}

// skipSpace skips white space and comments.
func (s *scanner) skipSpace() {
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case isSpace(c):
			s.off++
		case c == '/' && s.peekByte(s.off+1) == '/':
			s.off = lineEnd(s.src, s.off)
		case c == '/' && s.peekByte(s.off+1) == '*':
			end := bytes.Index(s.src[s.off+2:], []byte("*/"))
			if end < 0 {
				s.errorf(s.off, s.off+2, "unterminated comment")
				s.off = len(s.src)
				return
			}
			s.off += end + 4
		default:
			return
		}
	}
}

// directive scans a `#include` or `#define` line (with `\` continuations).
func (s *scanner) directive() {
	lo := s.off
	for {
		end := lineEnd(s.src, s.off)
		s.off = end
		if end > lo && bytes.HasSuffix(bytes.TrimRight(s.src[lo:end], "\r"), []byte("\\")) && end < len(s.src) {
			s.off = end + 1
			continue
		}
		break
	}
	hi := s.off
	for hi > lo && isSpace(s.src[hi-1]) {
		hi--
	}
	s.emit(tPreamble, lo, hi)
}

// cdef scans a C definition (struct, union, enum, typedef) up to and
// including its ';' at brace depth 0.
func (s *scanner) cdef() {
	lo := s.off
	var open []int
	for s.off < len(s.src) {
		s.skipSpace()
		if s.off >= len(s.src) {
			break
		}
		switch c := s.src[s.off]; c {
		case '{':
			open = append(open, s.off)
		case '}':
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		case ';':
			if len(open) == 0 {
				s.off++
				s.emit(tCDef, lo, s.off)
				return
			}
		case '"', '\'':
			s.quoted(c)
			continue
		}
		s.off++
	}
	if len(open) > 0 {
		s.errorf(open[len(open)-1], open[len(open)-1]+1, "unmatched '{'")
	}
	hi := s.off
	for hi > lo && isSpace(s.src[hi-1]) {
		hi--
	}
	s.emit(tCDef, lo, hi)
}

// probeItem scans `spec, spec /pred/ { body }`.
func (s *scanner) probeItem() {
	for {
		s.spec()
		s.skipSpace()
		if s.peekByte(s.off) != ',' {
			break
		}
		s.emit(tPunct, s.off, s.off+1)
		s.off++
		s.skipSpace()
		if s.off >= len(s.src) || s.src[s.off] == '{' || s.src[s.off] == '/' {
			break
		}
	}
	if s.peekByte(s.off) == '/' {
		s.emit(tPredOpen, s.off, s.off+1)
		s.off++
		s.predicate()
		s.skipSpace()
	}
	s.block()
}

// spec scans one attach point. It ends at white space, ',' or '{', and at
// a '/' unless the current colon-separated part is a path (starts with '/'
// or '.').
func (s *scanner) spec() {
	lo := s.off
	if c := s.src[lo]; !isIdentStart(c) {
		// Not a spec at all: let the parser report the token.
		s.token()
		return
	}
	partStart := lo
	for s.off < len(s.src) {
		c := s.src[s.off]
		if c == '"' {
			s.quoted(c)
			continue
		}
		if isSpace(c) || c == ',' || c == '{' || c == '}' || c == ';' {
			break
		}
		if c == '/' {
			n := s.peekByte(s.off + 1)
			inPath := s.off == partStart || s.src[partStart] == '/' || s.src[partStart] == '.'
			if !inPath || (s.off != partStart && (n == '/' || n == '*')) {
				break
			}
		}
		if c == ':' {
			partStart = s.off + 1
		}
		s.off++
	}
	s.emit(tSpec, lo, s.off)
}

// errorAfter reports whether a lexical error was found after offset off;
// an unterminated string or comment swallows the braces after it, and an
// unmatched '{' would only repeat that.
func (s *scanner) errorAfter(off int) bool {
	for _, d := range s.errs {
		if d.Pos.Offset >= off {
			return true
		}
	}
	return false
}

// block scans tokens up to the '}' that closes the first '{' of the item.
// A probe body must start with '{'; if it does not, tokens are scanned up
// to the end of a balanced block anyway, for the parser to report.
func (s *scanner) block() {
	var open []int
	for {
		s.skipSpace()
		if s.off >= len(s.src) {
			if len(open) > 0 && !s.errorAfter(open[len(open)-1]) {
				o := open[len(open)-1]
				s.errorf(o, o+1, "unmatched '{'")
			}
			return
		}
		switch s.src[s.off] {
		case '{':
			open = append(open, s.off)
		case '}':
			if len(open) == 0 {
				return
			}
			open = open[:len(open)-1]
			if len(open) == 0 {
				s.token()
				return
			}
		}
		s.token()
	}
}

// predicate scans ordinary tokens up to and including the '/' that closes
// a predicate: a '/' followed by '{' or the end of the script.
func (s *scanner) predicate() {
	for {
		s.skipSpace()
		if s.off >= len(s.src) {
			return
		}
		if s.src[s.off] == '/' && s.peekByte(s.off+1) != '=' {
			if c := s.nextNonSpace(s.off + 1); c == '{' || c == 0 {
				s.emit(tPredClose, s.off, s.off+1)
				s.off++
				return
			}
		}
		if s.src[s.off] == '{' {
			return // missing closing '/': the parser reports it
		}
		s.token()
	}
}

// token scans one ordinary token at s.off (which is not space).
func (s *scanner) token() {
	lo := s.off
	c := s.src[lo]
	switch {
	case isIdentStart(c):
		w := s.word(lo)
		s.off += len(w)
		switch {
		case keywords[w]:
			s.emit(tKeyword, lo, s.off)
		case typeNames[w]:
			s.emit(tType, lo, s.off)
		default:
			s.emit(tIdent, lo, s.off)
		}
	case '0' <= c && c <= '9':
		s.off++
		for s.off < len(s.src) && isIdentByte(s.src[s.off]) {
			s.off++
		}
		s.emit(tInt, lo, s.off)
	case c == '"':
		s.quoted(c)
		s.emit(tString, lo, s.off)
	case c == '$':
		s.off++
		switch n := s.peekByte(s.off); {
		case n == '#':
			s.off++
			s.emit(tPositional, lo, s.off)
		case '0' <= n && n <= '9':
			for s.off < len(s.src) && '0' <= s.src[s.off] && s.src[s.off] <= '9' {
				s.off++
			}
			s.emit(tPositional, lo, s.off)
		case isIdentStart(n):
			s.off += len(s.word(s.off))
			s.emit(tVar, lo, s.off)
		default:
			s.errorf(lo, s.off, "expected a variable name after '$'")
		}
	case c == '@':
		s.off++
		for s.off < len(s.src) && isIdentByte(s.src[s.off]) {
			s.off++
		}
		s.emit(tMap, lo, s.off)
	default:
		for _, p := range puncts {
			if bytes.HasPrefix(s.src[lo:], []byte(p)) {
				s.off += len(p)
				s.emit(tPunct, lo, s.off)
				s.limitNesting(p, lo)
				return
			}
		}
		s.off++
		s.errorf(lo, s.off, "invalid character %q", c)
	}
}

// limitNesting tracks bracket depth and runs of prefix operators after
// punctuation p at offset lo; past maxNesting it reports an error and
// stops scanning.
func (s *scanner) limitNesting(p string, lo int) {
	switch p {
	case "(", "[", "{":
		s.nest++
	case ")", "]", "}":
		s.nest--
	}
	switch p {
	case "(", "!", "~", "-", "*", "&", "++", "--":
		s.prefixes++
	default:
		s.prefixes = 0
	}
	if s.nest > maxNesting || s.prefixes > maxNesting {
		s.errorf(lo, s.off, "nesting deeper than %d levels", maxNesting)
		s.off = len(s.src)
	}
}

// quoted skips a quoted string starting at s.off; an unterminated string
// is reported and ends at the end of its line.
func (s *scanner) quoted(q byte) {
	lo := s.off
	s.off++
	for s.off < len(s.src) {
		switch s.src[s.off] {
		case '\\':
			s.off += 2
			continue
		case q:
			s.off++
			return
		case '\n':
			s.errorf(lo, s.off, "unterminated string")
			return
		}
		s.off++
	}
	s.off = len(s.src)
	s.errorf(lo, s.off, "unterminated string")
}
