package codegen

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/stdlib"
)

// constants collects the integer names a script may use as identifiers:
// the UAPI constants an #include brings in, #define NAME value (a constant
// integer expression), and enum values. A name whose value is not a
// constant integer expression is left out, so that its uses are refused.
func constants(prog *ast.Program) map[string]int64 {
	out := map[string]int64{}
	for _, p := range prog.Preamble {
		switch p.Kind {
		case ast.PreInclude:
			for name, v := range stdlib.Constants {
				if _, ok := out[name]; !ok {
					out[name] = v
				}
			}
		case ast.PreDefine:
			val := strings.TrimSpace(p.Text)
			if i := strings.Index(val, p.Name); i >= 0 {
				val = val[i+len(p.Name):]
			}
			if v, ok := evalConst(val, out); ok {
				out[p.Name] = v
			}
		case ast.PreCDef:
			enumValues(p.Text, out)
		}
	}
	return out
}

// enumValues adds the values of `enum e { A, B = 5, C };`.
func enumValues(text string, out map[string]int64) {
	if !strings.HasPrefix(strings.TrimSpace(text), "enum") {
		return
	}
	open, end := strings.IndexByte(text, '{'), strings.LastIndexByte(text, '}')
	if open < 0 || end < open {
		return
	}
	next := int64(0)
	for _, item := range strings.Split(text[open+1:end], ",") {
		name, val, hasVal := strings.Cut(item, "=")
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if hasVal {
			v, ok := evalConst(val, out)
			if !ok {
				return
			}
			next = v
		}
		out[name] = next
		next++
	}
}

// evalConst evaluates a C constant integer expression of literals, known
// names, parentheses, unary - ~ and binary * / % + - << >> & ^ |.
func evalConst(s string, names map[string]int64) (int64, bool) {
	p := &constParser{toks: constTokens(s), names: names}
	v, ok := p.binary(0)
	return v, ok && p.pos == len(p.toks)
}

func constTokens(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_':
			j := i
			for j < len(s) && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])) || s[j] == '_') {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		case strings.HasPrefix(s[i:], "<<"), strings.HasPrefix(s[i:], ">>"):
			toks = append(toks, s[i:i+2])
			i += 2
		default:
			toks = append(toks, s[i:i+1])
			i++
		}
	}
	return toks
}

type constParser struct {
	toks  []string
	pos   int
	names map[string]int64
}

var constPrec = map[string]int{"|": 1, "^": 2, "&": 3, "<<": 4, ">>": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}

func (p *constParser) binary(min int) (int64, bool) {
	x, ok := p.unary()
	for ok && p.pos < len(p.toks) {
		op := p.toks[p.pos]
		prec, isOp := constPrec[op]
		if !isOp || prec <= min {
			break
		}
		p.pos++
		var y int64
		if y, ok = p.binary(prec); !ok {
			break
		}
		switch op {
		case "|":
			x |= y
		case "^":
			x ^= y
		case "&":
			x &= y
		case "<<":
			x <<= uint64(y)
		case ">>":
			x >>= uint64(y)
		case "+":
			x += y
		case "-":
			x -= y
		case "*":
			x *= y
		case "/", "%":
			if y == 0 {
				return 0, false
			}
			if op == "/" {
				x /= y
			} else {
				x %= y
			}
		}
	}
	return x, ok
}

func (p *constParser) unary() (int64, bool) {
	if p.pos >= len(p.toks) {
		return 0, false
	}
	t := p.toks[p.pos]
	p.pos++
	switch t {
	case "-":
		v, ok := p.unary()
		return -v, ok
	case "~":
		v, ok := p.unary()
		return ^v, ok
	case "(":
		v, ok := p.binary(0)
		if !ok || p.pos >= len(p.toks) || p.toks[p.pos] != ")" {
			return 0, false
		}
		p.pos++
		return v, true
	}
	if v, ok := p.names[t]; ok {
		return v, true
	}
	lit := strings.TrimRight(t, "uUlL")
	if v, err := strconv.ParseInt(lit, 0, 64); err == nil {
		return v, true
	}
	if v, err := strconv.ParseUint(lit, 0, 64); err == nil {
		return int64(v), true
	}
	return 0, false
}
