package lang

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/gbt-project/gbt/lang/ast"
)

// durations are the integer suffixes that scale a literal to nanoseconds.
var durations = map[string]uint64{
	"ns": 1,
	"us": 1_000,
	"ms": 1_000_000,
	"s":  1_000_000_000,
	"m":  60 * 1_000_000_000,
	"h":  3600 * 1_000_000_000,
	"d":  86400 * 1_000_000_000,
}

// isTypeSuffix reports whether s is a C integer suffix (u, l, ul, ull, ...),
// which is accepted and ignored.
func isTypeSuffix(s string) bool {
	switch strings.ToLower(s) {
	case "u", "l", "ul", "lu", "ll", "ull", "llu":
		return true
	}
	return false
}

// parseInt evaluates an integer literal; msg is non-empty when raw is not
// a valid literal.
func parseInt(raw string) (v uint64, msg string) {
	s := strings.ReplaceAll(raw, "_", "")
	bad := fmt.Sprintf("invalid integer literal '%s'", raw)
	tooBig := fmt.Sprintf("integer literal '%s' is too large", raw)
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		digits := strings.TrimRight(s[2:], "uUlL")
		if digits == "" || !isTypeSuffix(s[2+len(digits):]) && len(digits) != len(s)-2 {
			return 0, bad
		}
		v, err := strconv.ParseUint(digits, 16, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return 0, tooBig
			}
			return 0, bad
		}
		return v, ""
	}
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	digits, rest := s[:n], s[n:]
	if digits == "" {
		return 0, bad
	}
	base := 10
	if len(digits) > 1 && digits[0] == '0' {
		base = 8
	}
	v, err := strconv.ParseUint(digits, base, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, tooBig
		}
		return 0, bad
	}
	if len(rest) > 1 && (rest[0] == 'e' || rest[0] == 'E') && rest[1] >= '0' && rest[1] <= '9' {
		e := 1
		for e < len(rest) && rest[e] >= '0' && rest[e] <= '9' {
			e++
		}
		exp, _ := strconv.Atoi(rest[1:e])
		for range exp {
			hi, lo := bits.Mul64(v, 10)
			if hi != 0 {
				return 0, tooBig
			}
			v = lo
		}
		rest = rest[e:]
	}
	switch {
	case rest == "" || isTypeSuffix(rest):
		return v, ""
	case durations[rest] != 0:
		hi, lo := bits.Mul64(v, durations[rest])
		if hi != 0 {
			return 0, tooBig
		}
		return lo, ""
	}
	return 0, bad
}

// unquote resolves the escapes of a string literal (raw includes the
// quotes; an unterminated string, already reported, lacks the last one).
func (l *lowerer) unquote(sp ast.Span, raw string) string {
	s := raw[1:]
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
		} else if s[i] == '"' {
			s = s[:i]
			break
		}
	}
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		start := i
		i++
		if i >= len(s) {
			break
		}
		switch c := s[i]; c {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'e':
			b.WriteByte(0x1b)
		case '\\', '"', '\'', '?':
			b.WriteByte(c)
		case 'x':
			j := i + 1
			for j < len(s) && j < i+3 && isHex(s[j]) {
				j++
			}
			if j == i+1 {
				l.escapeError(sp, start, i+1, "\\x needs hexadecimal digits")
				continue
			}
			v, _ := strconv.ParseUint(s[i+1:j], 16, 8)
			b.WriteByte(byte(v))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i:j], 8, 16)
			if v > 255 {
				l.escapeError(sp, start, j, "octal escape out of range")
			}
			b.WriteByte(byte(v))
			i = j - 1
		default:
			l.escapeError(sp, start, i+1, fmt.Sprintf("invalid escape sequence '\\%c'", c))
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// escapeError reports a bad escape at byte offsets [lo, hi) of the string
// body (which starts one byte after the literal's opening quote).
func (l *lowerer) escapeError(sp ast.Span, lo, hi int, msg string) {
	base := sp.Start.Offset + 1
	l.p.errorf(base+lo, base+hi, "%s", msg)
}
