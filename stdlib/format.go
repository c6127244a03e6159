package stdlib

import (
	"fmt"
	"strings"
)

// Verb is one conversion of a printf-style format: "%-8.3lld" has Flags "-",
// Width "8", Prec "3", Length "ll" and Conv "d". Start and End are the
// byte offsets of the whole conversion in the format.
type Verb struct {
	Start, End int
	Flags      string
	Width      string // digits, or "*" (not supported: an error)
	Prec       string // digits after '.', without the '.'; "" when absent
	HasPrec    bool
	Length     string // "", "hh", "h", "l", "ll", "j", "z", "t"
	Conv       string // "d", "i", "u", "x", "X", "o", "s", "c", "p", "r", "rx", "rh"
}

// Accepts returns the argument forms the verb prints.
func (v Verb) Accepts() Accept {
	switch v.Conv {
	case "d", "i", "u", "x", "X", "o", "c":
		return Int
	case "p":
		return Int | Ptr
	case "r", "rx", "rh":
		return Buf | Str
	}
	return Value // %s prints anything that has a text form
}

// FormatError is a malformed format; Offset is the byte offset in the format.
type FormatError struct {
	Offset int
	Msg    string
}

func (e *FormatError) Error() string { return e.Msg }

// ParseFormat returns the conversions of a printf format. "%%" is a literal
// percent sign and yields no verb.
func ParseFormat(f string) ([]Verb, error) {
	var verbs []Verb
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		if i+1 < len(f) && f[i+1] == '%' {
			i++
			continue
		}
		v, err := parseVerb(f, i)
		if err != nil {
			return verbs, err
		}
		verbs = append(verbs, v)
		i = v.End - 1
	}
	return verbs, nil
}

func parseVerb(f string, start int) (Verb, error) {
	v := Verb{Start: start}
	i := start + 1
	span := func(set string) string {
		j := i
		for i < len(f) && strings.IndexByte(set, f[i]) >= 0 {
			i++
		}
		return f[j:i]
	}
	v.Flags = span("-+ #0")
	v.Width = span("0123456789*")
	if i < len(f) && f[i] == '.' {
		i++
		v.HasPrec = true
		v.Prec = span("0123456789*")
	}
	if strings.Contains(v.Width, "*") || strings.Contains(v.Prec, "*") {
		return v, &FormatError{start, "printf: '*' widths are not supported"}
	}
	v.Length = span("hljzt")
	switch v.Length {
	case "", "hh", "h", "l", "ll", "j", "z", "t":
	default:
		return v, &FormatError{start, fmt.Sprintf("printf: invalid length modifier '%s'", v.Length)}
	}
	if i >= len(f) {
		return v, &FormatError{start, "printf: incomplete format specifier at the end of the format"}
	}
	c := f[i]
	i++
	switch c {
	case 'd', 'i', 'u', 'x', 'X', 'o', 's', 'c', 'p':
		v.Conv = string(c)
	case 'r':
		v.Conv = "r"
		if i < len(f) && (f[i] == 'x' || f[i] == 'h') {
			v.Conv += string(f[i])
			i++
		}
	default:
		return v, &FormatError{start, fmt.Sprintf("printf: unknown format specifier '%%%s'", f[start+1:i])}
	}
	v.End = i
	return v, nil
}
