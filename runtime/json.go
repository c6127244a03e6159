package runtime

import (
	"io"
	"strconv"

	"github.com/gbt-project/gbt/lang/ast"
)

// JSONOutput writes `-f json` output: one object per line in bpftrace
// 0.17's schema and spacing, such as
//
//	{"type": "map", "data": {"@x": {"1": 2, "3": 4}}}
//
// Like bpftrace 0.17 it writes two empty lines before the maps at exit.
// Unlike 0.17 it writes bytes >= 0x80 in strings as they are (0.17 wrote
// invalid \uffffffXX escapes) and computes the bounds of log2 buckets at
// and above 2^31 without overflowing.
type JSONOutput struct {
	w   io.Writer
	buf []byte
	err error
}

// NewJSON returns an Output that writes JSON lines to w.
func NewJSON(w io.Writer) *JSONOutput { return &JSONOutput{w: w} }

func (o *JSONOutput) flush() {
	if len(o.buf) == 0 {
		return
	}
	if o.err == nil {
		_, o.err = o.w.Write(o.buf)
	}
	o.buf = o.buf[:0]
}

// event writes {"type": "<typ>", "data": <string s>}.
func (o *JSONOutput) event(typ, s string) {
	o.buf = append(o.buf, `{"type": "`...)
	o.buf = append(o.buf, typ...)
	o.buf = append(o.buf, `", "data": `...)
	o.buf = appendJSONString(o.buf, s)
	o.buf = append(o.buf, "}\n"...)
	o.flush()
}

func (o *JSONOutput) Printf(s string)  { o.event("printf", s) }
func (o *JSONOutput) Time(s string)    { o.event("time", s) }
func (o *JSONOutput) Cat(s string)     { o.event("cat", s) }
func (o *JSONOutput) Syscall(s string) { o.event("syscall", s) }
func (o *JSONOutput) Join(s string)    { o.event("join", s) }

func (o *JSONOutput) Value(v Value) {
	o.buf = append(o.buf, `{"type": "value", "data": `...)
	o.buf = appendJSONValue(o.buf, v, valueIndent)
	o.buf = append(o.buf, "}\n"...)
	o.flush()
}

func (o *JSONOutput) Map(m *Map, opts PrintOpts) {
	o.buf = appendMapJSON(o.buf, m, opts)
	o.flush()
}

func (o *JSONOutput) Exit(maps []*Map) {
	o.buf = append(o.buf, "\n\n"...)
	for _, m := range sortMapsByName(maps) {
		o.buf = appendMapJSON(o.buf, m, PrintOpts{})
	}
	o.flush()
}

func (o *JSONOutput) AttachedProbes(n int) {
	o.buf = append(o.buf, `{"type": "attached_probes", "data": {"probes": `...)
	o.buf = strconv.AppendInt(o.buf, int64(n), 10)
	o.buf = append(o.buf, "}}\n"...)
	o.flush()
}

func (o *JSONOutput) LostEvents(n uint64) {
	o.buf = append(o.buf, `{"type": "lost_events", "data": {"events": `...)
	o.buf = strconv.AppendUint(o.buf, n, 10)
	o.buf = append(o.buf, "}}\n"...)
	o.flush()
}

func (o *JSONOutput) Err() error { return o.err }

// appendJSONString appends s as a JSON string: quote, backslash and the
// control characters escaped (\n \r \t by name, the rest as \u00XX).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// appendJSONValue appends a value: integers as numbers, tuples as arrays
// without spaces ([1,"two"]), everything else as the string of its text.
func appendJSONValue(b []byte, v Value, indent int) []byte {
	switch v.Kind {
	case ValInt:
		return v.appendInt(b)
	case ValAvg:
		return v.Average().appendInt(b)
	case ValTuple:
		b = append(b, '[')
		for i, e := range v.Elems {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONValue(b, e, valueIndent)
		}
		return append(b, ']')
	case ValNone, ValHist:
		return append(b, "null"...)
	}
	return appendJSONString(b, string(appendText(nil, v, indent)))
}

// appendMapJSON appends one line for a map: type "map" for plain values and
// count, sum, min and max; "stats" for avg and stats; "hist" for hist and
// lhist. An empty map writes nothing, except an unkeyed count() map, which
// is 0.
func appendMapJSON(b []byte, m *Map, opts PrintOpts) []byte {
	es := selectEntries(m, opts)
	if m.Agg == ast.AggStats {
		opts.Div = 0
	}
	if len(es) == 0 {
		if m.Agg != ast.AggCount || m.Keyed {
			return b
		}
		es = []*Entry{{Value: Uint(0)}}
	}
	typ := "map"
	switch m.Agg {
	case ast.AggHist, ast.AggLhist:
		typ = "hist"
	case ast.AggAvg, ast.AggStats:
		typ = "stats"
	}
	b = append(b, `{"type": "`...)
	b = append(b, typ...)
	b = append(b, `", "data": {`...)
	b = appendJSONString(b, m.Name)
	b = append(b, ": "...)
	if !m.Keyed {
		b = appendJSONEntry(b, m.Agg, es[0].Value, opts.Div)
		return append(b, "}}\n"...)
	}
	b = append(b, '{')
	var key []byte
	for i, e := range es {
		if i > 0 {
			b = append(b, ", "...)
		}
		key = appendKey(key[:0], e.Key, ",")
		b = appendJSONString(b, string(key))
		b = append(b, ": "...)
		b = appendJSONEntry(b, m.Agg, e.Value, opts.Div)
	}
	return append(b, "}}}\n"...)
}

// appendJSONEntry appends the value of one map entry.
func appendJSONEntry(b []byte, agg ast.AggKind, v Value, div uint64) []byte {
	switch agg {
	case ast.AggHist, ast.AggLhist:
		return appendHistJSON(b, v.Hist, div)
	case ast.AggStats:
		b = append(b, `{"count": `...)
		b = strconv.AppendUint(b, v.Count, 10)
		b = append(b, `, "average": `...)
		b = v.Average().appendInt(b)
		b = append(b, `, "total": `...)
		b = Value{Kind: ValInt, Signed: v.Signed, Bits: v.Bits}.appendInt(b)
		return append(b, '}')
	case ast.AggAvg:
		return v.Average().div(div).appendInt(b)
	}
	return appendJSONValue(b, v.div(div), valueIndent)
}

// appendHistJSON appends the buckets from the first to the last non-empty
// one as {"min": lo, "max": hi, "count": n}; the open-ended first and last
// buckets have no min or no max.
func appendHistJSON(b []byte, h *Hist, div uint64) []byte {
	b = append(b, '[')
	if h == nil {
		return append(b, ']')
	}
	first, last := histSpan(h)
	for i := first; i <= last && first >= 0; i++ {
		if i > first {
			b = append(b, ", "...)
		}
		r := h.bucket(i)
		b = append(b, '{')
		if !r.below {
			b = append(b, `"min": `...)
			b = appendBound(b, r.lo, r.signed)
			b = append(b, ", "...)
		}
		if !r.above {
			b = append(b, `"max": `...)
			b = appendBound(b, r.hi, r.signed)
			b = append(b, ", "...)
		}
		c := h.Buckets[i]
		if div > 1 {
			c /= div
		}
		b = append(b, `"count": `...)
		b = strconv.AppendUint(b, c, 10)
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendBound(b []byte, n uint64, signed bool) []byte {
	if signed {
		return strconv.AppendInt(b, int64(n), 10)
	}
	return strconv.AppendUint(b, n, 10)
}
