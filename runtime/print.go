package runtime

import (
	"bytes"
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/gbt-project/gbt/lang/ast"
)

// Stacks are indented by 8 spaces where they print as values and by 4 where
// they print as map keys, as bpftrace 0.17 does.
const (
	valueIndent = 8
	keyIndent   = 4
)

// appendText appends the text form of a value as print() and map printing
// show it: integers in decimal, strings as they are, buffers with \xNN
// escapes, tuples as "(1, two)", stacks one frame per line.
func appendText(b []byte, v Value, indent int) []byte {
	switch v.Kind {
	case ValInt:
		return v.appendInt(b)
	case ValString:
		return append(b, v.Str...)
	case ValBuffer:
		return appendBuffer(b, v.Str, 0)
	case ValTuple:
		b = append(b, '(')
		for i, e := range v.Elems {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendText(b, e, valueIndent)
		}
		return append(b, ')')
	case ValStack:
		return appendStack(b, v.Stack, indent)
	case ValAvg:
		return v.Average().appendInt(b)
	}
	return b
}

// appendStack renders a stack: a newline, then one line per frame.
func appendStack(b []byte, s *Stack, indent int) []byte {
	b = append(b, '\n')
	if s == nil {
		return b
	}
	for _, f := range s.Frames {
		if s.Mode == StackPerf {
			b = append(b, '\t')
			b = strconv.AppendUint(b, f.Addr, 16)
			b = append(b, ' ')
			b = appendSym(b, f)
			if s.User {
				mod := f.Module
				if mod == "" {
					mod = "[unknown]"
				}
				b = append(b, " ("...)
				b = append(b, mod...)
				b = append(b, ')')
			}
		} else {
			b = append(b, "                "[:min(indent, 16)]...)
			b = appendSym(b, f)
		}
		b = append(b, '\n')
	}
	return b
}

func appendSym(b []byte, f Frame) []byte {
	if f.Sym != "" {
		return append(b, f.Sym...)
	}
	b = append(b, "0x"...)
	return strconv.AppendUint(b, f.Addr, 16)
}

// appendKey appends the parts of a key, each in its text form, separated by
// sep (", " for text output, "," inside JSON keys).
func appendKey(b []byte, key []Value, sep string) []byte {
	for i, k := range key {
		if i > 0 {
			b = append(b, sep...)
		}
		b = appendText(b, k, keyIndent)
	}
	return b
}

// sortedEntries returns the entries of m in bpftrace's print order:
// count, sum, min, max and integer maps by value, avg and stats by the
// average, histograms by their total count, everything else by key; all
// ascending, ties broken by key so that the order is stable. It returns
// pointers into m.Entries.
func sortedEntries(m *Map) []*Entry {
	es := make([]*Entry, len(m.Entries))
	for i := range m.Entries {
		es[i] = &m.Entries[i]
	}
	var byValue func(a, b *Value) int
	switch m.Agg {
	case ast.AggCount, ast.AggSum, ast.AggMin, ast.AggMax:
		byValue = compareInts
	case ast.AggAvg, ast.AggStats:
		byValue = func(a, b *Value) int { x, y := a.Average(), b.Average(); return compareInts(&x, &y) }
	case ast.AggHist, ast.AggLhist:
		byValue = func(a, b *Value) int { return cmp.Compare(histTotal(a), histTotal(b)) }
	default:
		if len(es) > 0 && es[0].Value.Kind == ValInt {
			byValue = compareInts
		}
	}
	slices.SortFunc(es, func(a, b *Entry) int {
		if byValue != nil {
			if c := byValue(&a.Value, &b.Value); c != 0 {
				return c
			}
		}
		return compareKeys(a.Key, b.Key)
	})
	return es
}

func histTotal(v *Value) uint64 {
	if v.Hist == nil {
		return 0
	}
	return v.Hist.Total()
}

func compareInts(a, b *Value) int {
	if a.Signed && b.Signed {
		return cmp.Compare(int64(a.Bits), int64(b.Bits))
	}
	return cmp.Compare(a.Bits, b.Bits)
}

// compareKeys orders keys part by part. Integers compare as unsigned
// numbers of their width, as bpftrace sorts the key bytes it reads back
// (so -1 sorts after 10); strings compare bytewise.
func compareKeys(a, b []Value) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := compareKey(&a[i], &b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func compareKey(a, b *Value) int {
	if a.Kind != b.Kind {
		return cmp.Compare(a.Kind, b.Kind)
	}
	switch a.Kind {
	case ValInt:
		return cmp.Compare(a.Bits&widthMask(a.Width), b.Bits&widthMask(b.Width))
	case ValTuple:
		return compareKeys(a.Elems, b.Elems)
	case ValStack:
		return bytes.Compare(appendText(nil, *a, keyIndent), appendText(nil, *b, keyIndent))
	case ValAvg:
		x, y := a.Average(), b.Average()
		return compareInts(&x, &y)
	}
	return strings.Compare(a.Str, b.Str)
}

func widthMask(w uint8) uint64 {
	if w == 0 || w >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*uint(w)) - 1
}

// selectEntries sorts the entries of m and keeps the top ones that print()
// asked for (stats maps ignore top, as bpftrace does).
func selectEntries(m *Map, opts PrintOpts) []*Entry {
	es := sortedEntries(m)
	if opts.Top > 0 && m.Agg != ast.AggStats && uint64(len(es)) > opts.Top {
		es = es[uint64(len(es))-opts.Top:]
	}
	return es
}

// appendMapText renders a map as bpftrace 0.17's text output does. An
// unkeyed count() map always has a value (0 when it never counted); other
// empty maps print as a blank line (avg and stats maps as two).
func appendMapText(b []byte, m *Map, opts PrintOpts) []byte {
	es := selectEntries(m, opts)
	if m.Agg == ast.AggStats {
		opts.Div = 0
	}
	if len(es) == 0 && m.Agg == ast.AggCount && !m.Keyed {
		es = []*Entry{{Value: Uint(0)}}
	}
	for _, e := range es {
		b = append(b, m.Name...)
		if m.Keyed {
			b = append(b, '[')
			b = appendKey(b, e.Key, ", ")
			b = append(b, ']')
		}
		b = append(b, ": "...)
		switch m.Agg {
		case ast.AggHist, ast.AggLhist:
			b = append(b, '\n')
			if e.Value.Hist != nil {
				b = appendHistRows(b, e.Value.Hist, opts.Div)
			}
		case ast.AggStats:
			v := e.Value
			b = append(b, "count "...)
			b = strconv.AppendUint(b, v.Count, 10)
			b = append(b, ", average "...)
			b = v.Average().appendInt(b)
			b = append(b, ", total "...)
			b = Value{Kind: ValInt, Signed: v.Signed, Bits: v.Bits}.appendInt(b)
		case ast.AggAvg:
			b = e.Value.Average().div(opts.Div).appendInt(b)
		default:
			b = appendText(b, e.Value.div(opts.Div), valueIndent)
		}
		b = append(b, '\n')
	}
	if len(es) == 0 {
		b = append(b, '\n')
	}
	if m.Agg == ast.AggAvg || m.Agg == ast.AggStats {
		b = append(b, '\n')
	}
	return b
}

// sortMapsByName returns maps in name order, as they print at exit.
func sortMapsByName(maps []*Map) []*Map {
	ms := slices.Clone(maps)
	slices.SortStableFunc(ms, func(a, b *Map) int { return strings.Compare(a.Name, b.Name) })
	return ms
}
