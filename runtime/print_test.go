package runtime

import (
	"bytes"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"strings"
	"testing"

	"github.com/gbt-project/gbt/lang/ast"
)

// printOp is one statement of a printing case: an aggregation or assignment
// into a map, print() of a map or a value, printf, clear() or zero().
type printOp struct {
	stmt string // "agg", "print", "value", "printf", "clear", "zero"
	m    string
	key  []Value
	agg  ast.AggKind // stmt "agg": AggNone assigns arg
	arg  Value
	lh   [3]int64 // lhist min, max, step
	opts PrintOpts
}

func opAgg(m string, a ast.AggKind, arg Value, key ...Value) printOp {
	return printOp{stmt: "agg", m: m, agg: a, arg: arg, key: key}
}
func opCount(m string, key ...Value) printOp { return opAgg(m, ast.AggCount, Value{}, key...) }
func opSet(m string, v Value, key ...Value) printOp {
	return opAgg(m, ast.AggNone, v, key...)
}
func opLhist(m string, v, lo, hi, step int64, key ...Value) printOp {
	o := opAgg(m, ast.AggLhist, Int(v), key...)
	o.lh = [3]int64{lo, hi, step}
	return o
}
func opPrint(m string, top, div uint64) printOp {
	return printOp{stmt: "print", m: m, opts: PrintOpts{Top: top, Div: div}}
}

// script renders the ops as one bpftrace BEGIN probe.
func opsScript(ops []printOp) string {
	var b strings.Builder
	b.WriteString("BEGIN {\n")
	for _, o := range ops {
		b.WriteString("  ")
		switch o.stmt {
		case "agg":
			b.WriteString(o.m)
			if len(o.key) > 0 {
				parts := make([]string, len(o.key))
				for i, k := range o.key {
					parts[i] = btExpr(k)
				}
				b.WriteString("[" + strings.Join(parts, ", ") + "]")
			}
			switch o.agg {
			case ast.AggNone:
				fmt.Fprintf(&b, " = %s;\n", btExpr(o.arg))
			case ast.AggCount:
				b.WriteString(" = count();\n")
			case ast.AggLhist:
				fmt.Fprintf(&b, " = lhist(%s, %d, %d, %d);\n", btExpr(o.arg), o.lh[0], o.lh[1], o.lh[2])
			default:
				fmt.Fprintf(&b, " = %s(%s);\n", o.agg, btExpr(o.arg))
			}
		case "print":
			switch {
			case o.opts.Div > 0:
				fmt.Fprintf(&b, "print(%s, %d, %d);\n", o.m, o.opts.Top, o.opts.Div)
			case o.opts.Top > 0:
				fmt.Fprintf(&b, "print(%s, %d);\n", o.m, o.opts.Top)
			default:
				fmt.Fprintf(&b, "print(%s);\n", o.m)
			}
		case "value":
			fmt.Fprintf(&b, "print(%s);\n", btExpr(o.arg))
		case "printf":
			fmt.Fprintf(&b, "printf(%s);\n", btQuote(o.arg.Str))
		case "clear", "zero":
			fmt.Fprintf(&b, "%s(%s);\n", o.stmt, o.m)
		}
	}
	b.WriteString("  exit();\n}\n")
	return b.String()
}

// oracleLog2Bucket is bpftrace 0.17's hist() bucket of a value: 0 for negatives,
// 1 for 0, then 2 + floor(log2(v)), computed over 32 bits as 0.17's code
// does (values from 2^32 up share the [2G, 4G) bucket).
func oracleLog2Bucket(v int64) int {
	switch {
	case v < 0:
		return 0
	case v == 0:
		return 1
	}
	return 2 + min(bits.Len64(uint64(v))-1, 31)
}

func oracleLhistBucket(v, lo, hi, step int64) int {
	switch {
	case v < lo:
		return 0
	case v >= hi:
		return int((hi-lo)/step) + 1
	}
	return int((v-lo)/step) + 1
}

// replay replays ops on Go maps and prints them through out, the way the
// runtime will: print() as it happens, every map at exit.
func replay(ops []printOp, out Output) {
	maps := map[string]*Map{}
	var order []string
	find := func(o printOp) *Map {
		m := maps[o.m]
		if m == nil {
			m = &Map{Name: o.m, Agg: o.agg, Keyed: len(o.key) > 0}
			maps[o.m] = m
			order = append(order, o.m)
		}
		return m
	}
	// Every map the script names exists from the start, as in bpftrace.
	for _, o := range ops {
		if o.stmt == "agg" {
			find(o)
		}
	}
	for _, o := range ops {
		m := maps[o.m]
		switch o.stmt {
		case "agg":
			i := slices.IndexFunc(m.Entries, func(e Entry) bool { return compareKeys(e.Key, o.key) == 0 })
			if i < 0 {
				m.Entries = append(m.Entries, Entry{Key: o.key, Value: opEmpty(o)})
				i = len(m.Entries) - 1
			}
			m.Entries[i].Value = opApply(m.Entries[i].Value, o)
		case "print":
			snap := *m
			snap.Entries = slices.Clone(m.Entries)
			out.Map(&snap, o.opts)
		case "value":
			out.Value(o.arg)
		case "printf":
			out.Printf(o.arg.Str)
		case "clear":
			m.Entries = nil
		case "zero":
			for i := range m.Entries {
				m.Entries[i].Value = opZero(m.Entries[i].Value)
			}
		}
	}
	var all []*Map
	for _, name := range order {
		all = append(all, maps[name])
	}
	out.Exit(all)
}

func opEmpty(o printOp) Value {
	switch o.agg {
	case ast.AggCount:
		return Uint(0)
	case ast.AggSum, ast.AggMin, ast.AggMax:
		return Int(0)
	case ast.AggAvg, ast.AggStats:
		return Avg(0, 0, true)
	case ast.AggHist:
		return HistValue(&Hist{Buckets: make([]uint64, 66)})
	case ast.AggLhist:
		return HistValue(&Hist{Linear: true, Min: o.lh[0], Max: o.lh[1], Step: o.lh[2], Buckets: make([]uint64, (o.lh[1]-o.lh[0])/o.lh[2]+2)})
	}
	return Value{}
}

func opApply(v Value, o printOp) Value {
	n := o.arg.Int64()
	switch o.agg {
	case ast.AggCount:
		v.Bits++
	case ast.AggSum:
		v.Bits += uint64(n)
	case ast.AggMin, ast.AggMax:
		if v.Bits == 0 && v.Count == 0 || o.agg == ast.AggMin && n < v.Int64() || o.agg == ast.AggMax && n > v.Int64() {
			v.Bits = uint64(n)
		}
		v.Count = 1
	case ast.AggAvg, ast.AggStats:
		v.Count++
		v.Bits += uint64(n)
	case ast.AggHist:
		v.Hist.Buckets[oracleLog2Bucket(n)]++
	case ast.AggLhist:
		v.Hist.Buckets[oracleLhistBucket(n, o.lh[0], o.lh[1], o.lh[2])]++
	default:
		return o.arg
	}
	return v
}

func opZero(v Value) Value {
	switch v.Kind {
	case ValHist:
		h := *v.Hist
		h.Buckets = make([]uint64, len(h.Buckets))
		return HistValue(&h)
	case ValAvg:
		return Avg(0, 0, v.Signed)
	}
	v.Bits, v.Count = 0, 0
	return v
}

// printCases run through the Go printers and through bpftrace 0.17. Values
// that sort by value avoid ties, whose order bpftrace leaves to its hash.
var printCases = []struct {
	name string
	ops  []printOp
}{
	{"scalars", []printOp{
		opAgg("@h", ast.AggHist, Int(5)), opAgg("@h", ast.AggHist, Int(1000)), opAgg("@s", ast.AggStats, Int(3)),
		opAgg("@a", ast.AggAvg, Int(10)), opAgg("@a", ast.AggAvg, Int(21)), opSet("@t", Tuple(Int(1), Str("two"))),
		opSet("@m", Int(3), Int(1), Int(2)), opSet("@", Int(42)), opSet("@neg", Int(-5)), opSet("@u", Uint(^uint64(0))),
		opSet("@tup", Tuple(Tuple(Int(1), Int(2)), Str("x"))), opAgg("@mn", ast.AggMin, Int(-5)), opAgg("@mx", ast.AggMax, Int(7)),
		opAgg("@sum", ast.AggSum, Int(-3)), opAgg("@sum", ast.AggSum, Int(10)), opCount("@c"), opSet("@str", Str("hello world")),
		opSet("@buf", Buffer([]byte("a\x01\"b"))),
	}},
	{"keyed", []printOp{
		opCount("@c", Int(3)), opCount("@c", Int(1)), opCount("@c", Int(1)), opCount("@c", Int(2)), opCount("@c", Int(2)), opCount("@c", Int(2)),
		opAgg("@s", ast.AggSum, Int(5), Str("b")), opAgg("@s", ast.AggSum, Int(7), Str("a")), opAgg("@s", ast.AggSum, Int(-3), Str("c")),
		opSet("@i", Int(10), Int(-1)), opSet("@i", Int(-2), Int(10)), opSet("@i", Int(11), Int(3)),
		opAgg("@a", ast.AggAvg, Int(10), Int(1)), opAgg("@a", ast.AggAvg, Int(21), Int(1)), opAgg("@a", ast.AggAvg, Int(-7), Int(2)), opAgg("@a", ast.AggAvg, Int(3), Int(3)),
		opAgg("@st", ast.AggStats, Int(10), Int(1)), opAgg("@st", ast.AggStats, Int(-5), Int(2)), opAgg("@st", ast.AggStats, Int(2), Int(2)),
		opSet("@t2", Tuple(Int(1), Str("two"), Int(-3)), Str("k"), Int(2)),
		opSet("@m2", Int(3), Int(1), Str("x")), opSet("@m2", Int(4), Int(0), Str("y")),
		opAgg("@mx", ast.AggMax, Int(9), Str("p")), opAgg("@mx", ast.AggMax, Int(4), Str("q")),
	}},
	{"keysort", []printOp{
		opSet("@s", Str("a"), Int(5)), opSet("@s", Str("b"), Int(-3)), opSet("@s", Str("c"), Int(10)), opSet("@s", Str("d"), Int(0)),
		opSet("@s", Str("e"), Int(-100)), opSet("@k", Str("1"), Str("bb")), opSet("@k", Str("2"), Str("a")), opSet("@k", Str("3"), Str("ab")),
		opSet("@k", Str("4"), Str("b")), opSet("@m", Str("x"), Int(2), Str("a")), opSet("@m", Str("y"), Int(1), Str("b")),
		opSet("@m", Str("z"), Int(1), Str("a")), opSet("@m", Str("w"), Int(-1), Str("z")),
		opSet("@t", Tuple(Int(1), Str("a")), Int(3)), opSet("@t", Tuple(Int(2), Str("b")), Int(1)),
		opSet("@u", Str("a"), IntOf(5, 4, false)), opSet("@u", Str("b"), IntOf(^uint64(0), 4, false)), opSet("@u", Str("c"), IntOf(0, 4, false)),
		opSet("@b", Int(1), Buffer([]byte("k\x02"))),
	}},
	{"hist", []printOp{
		opAgg("@h", ast.AggHist, Int(-5)), opAgg("@h", ast.AggHist, Int(0)), opAgg("@h", ast.AggHist, Int(0)), opAgg("@h", ast.AggHist, Int(1)),
		opAgg("@h", ast.AggHist, Int(2)), opAgg("@h", ast.AggHist, Int(3)), opAgg("@h", ast.AggHist, Int(1024)), opAgg("@h", ast.AggHist, Int(1500)),
		opAgg("@big", ast.AggHist, Int(1<<20)), opAgg("@big", ast.AggHist, Int(1<<30)), opAgg("@big", ast.AggHist, Int(1<<30+5)),
		opAgg("@k", ast.AggHist, Int(5), Str("b")), opAgg("@k", ast.AggHist, Int(100), Str("c")), opAgg("@k", ast.AggHist, Int(100), Str("c")),
		opAgg("@k", ast.AggHist, Int(6), Str("a")), opAgg("@k", ast.AggHist, Int(7), Str("a")), opAgg("@k", ast.AggHist, Int(70), Str("a")),
		opAgg("@one", ast.AggHist, Int(1)), opAgg("@neg", ast.AggHist, Int(-1)),
		opAgg("@bars", ast.AggHist, Int(3)), opAgg("@bars", ast.AggHist, Int(20)), opAgg("@bars", ast.AggHist, Int(20)), opAgg("@bars", ast.AggHist, Int(20)),
		opAgg("@bars", ast.AggHist, Int(5000)), opAgg("@bars", ast.AggHist, Int(5000)), opAgg("@bars", ast.AggHist, Int(70000)),
	}},
	{"lhist", []printOp{
		opLhist("@l", -1, 0, 100, 10), opLhist("@l", 5, 0, 100, 10), opLhist("@l", 35, 0, 100, 10), opLhist("@l", 100, 0, 100, 10), opLhist("@l", 1000, 0, 100, 10),
		opLhist("@l2", 15, 0, 100, 10), opLhist("@l2", 25, 0, 100, 10), opLhist("@l2", 26, 0, 100, 10),
		opLhist("@k", 1024, 0, 4096, 1024), opLhist("@k", 3000, 0, 4096, 1024), opLhist("@k", 5000, 0, 4096, 1024), opLhist("@k", 5, 0, 4096, 1024),
		opLhist("@m", 3<<20, 0, 8<<20, 1<<20), opLhist("@m", 5<<20, 0, 8<<20, 1<<20),
		opLhist("@o", 2048, 0, 10000, 1000), opLhist("@x", 2048, 1024, 10240, 2048),
		opLhist("@odd", 600, 500, 5000, 1024), opLhist("@odd", 100, 500, 5000, 1024), opLhist("@odd", 99999, 500, 5000, 1024),
		opLhist("@small", 3, 0, 5, 1), opLhist("@small", 5, 0, 5, 1),
		opLhist("@kl", 3, 0, 10, 1, Int(2)), opLhist("@kl", 4, 0, 10, 1, Int(2)), opLhist("@kl", 7, 0, 10, 1, Int(1)),
	}},
	{"print", []printOp{
		opCount("@c", Int(1)), opCount("@c", Int(2)), opCount("@c", Int(2)), opCount("@c", Int(3)), opCount("@c", Int(3)), opCount("@c", Int(3)),
		opCount("@c", Int(4)), opCount("@c", Int(4)), opCount("@c", Int(4)), opCount("@c", Int(4)),
		opAgg("@h", ast.AggHist, Int(5), Int(1)), opAgg("@h", ast.AggHist, Int(5), Int(2)), opAgg("@h", ast.AggHist, Int(50), Int(2)),
		opAgg("@h", ast.AggHist, Int(5000), Int(3)), opAgg("@h", ast.AggHist, Int(5000), Int(3)), opAgg("@h", ast.AggHist, Int(5000), Int(3)),
		opSet("@x", Int(7)), opAgg("@s", ast.AggSum, Int(100)), opAgg("@a", ast.AggAvg, Int(100), Int(1)), opAgg("@a", ast.AggAvg, Int(10), Int(2)),
		opAgg("@st", ast.AggStats, Int(100)), opLhist("@l", 5, 0, 4096, 1024),
		{stmt: "printf", arg: Str("A\n")}, opPrint("@c", 0, 0),
		{stmt: "printf", arg: Str("B\n")}, opPrint("@c", 2, 0),
		{stmt: "printf", arg: Str("C\n")}, opPrint("@c", 0, 2), opPrint("@c", 10, 0), opPrint("@c", 3, 3),
		{stmt: "printf", arg: Str("D\n")}, opPrint("@h", 2, 0),
		{stmt: "printf", arg: Str("E\n")}, opPrint("@x", 0, 0), opPrint("@s", 0, 3), opPrint("@a", 1, 3),
		{stmt: "printf", arg: Str("F\n")},
		{stmt: "value", arg: Int(5)}, {stmt: "value", arg: Str("str")}, {stmt: "value", arg: Tuple(Int(1), Str("a"))}, {stmt: "value", arg: Int(-3)},
		{stmt: "printf", arg: Str("G\n")}, opPrint("@h", 0, 2),
		{stmt: "printf", arg: Str("H\n")}, opPrint("@l", 0, 0),
	}},
	{"empty", []printOp{
		opCount("@c", Int(1)), opAgg("@h", ast.AggHist, Int(5)), opAgg("@hk", ast.AggHist, Int(5), Int(1)), opAgg("@hk", ast.AggHist, Int(50), Int(2)),
		opLhist("@l", 5, 0, 100, 10), opAgg("@a", ast.AggAvg, Int(5)), opAgg("@st", ast.AggStats, Int(5)), opAgg("@s", ast.AggSum, Int(3)),
		opAgg("@mn", ast.AggMin, Int(4)), opAgg("@mx", ast.AggMax, Int(4)), opCount("@e", Int(1)), opCount("@keyless"), opAgg("@ea", ast.AggAvg, Int(3), Int(1)),
		opSet("@g", Int(1)),
		{stmt: "zero", m: "@c"}, {stmt: "zero", m: "@h"}, {stmt: "zero", m: "@hk"}, {stmt: "zero", m: "@l"}, {stmt: "zero", m: "@a"},
		{stmt: "zero", m: "@st"}, {stmt: "zero", m: "@s"}, {stmt: "zero", m: "@mn"}, {stmt: "zero", m: "@mx"},
		{stmt: "clear", m: "@e"}, {stmt: "clear", m: "@keyless"}, {stmt: "clear", m: "@ea"}, {stmt: "clear", m: "@g"},
		{stmt: "printf", arg: Str("P\n")}, opPrint("@h", 0, 0), opPrint("@e", 0, 0), opPrint("@hk", 0, 0), opPrint("@keyless", 0, 0),
		opPrint("@ea", 0, 0), {stmt: "printf", arg: Str("Q\n")},
	}},
}

func TestPrintOracle(t *testing.T) {
	for _, tc := range printCases {
		t.Run(tc.name, func(t *testing.T) {
			g := checkGolden(t, "map_"+tc.name, opsScript(tc.ops), true)
			var text bytes.Buffer
			replay(tc.ops, NewText(&text, io.Discard))
			diffLines(t, "text", text.String(), g.Text)
			var js bytes.Buffer
			o := NewJSON(&js)
			o.AttachedProbes(1)
			replay(tc.ops, o)
			diffLines(t, "json", js.String(), g.JSON)
		})
	}
}

// bigMap is a keyed count map of n entries, as an exit print would see it.
func bigMap(n int) *Map {
	m := &Map{Name: "@bytes", Agg: ast.AggCount, Keyed: true}
	for i := range n {
		m.Entries = append(m.Entries, Entry{Key: []Value{Str(fmt.Sprintf("proc-%05d", i)), Int(int64(i % 97))}, Value: Uint(uint64(i * 7919 % 10007))})
	}
	return m
}

func BenchmarkPrintMap10k(b *testing.B) {
	m := bigMap(10000)
	b.ReportAllocs()
	for b.Loop() {
		o := NewText(io.Discard, io.Discard)
		o.Map(m, PrintOpts{})
	}
}

func BenchmarkPrintMapJSON10k(b *testing.B) {
	m := bigMap(10000)
	b.ReportAllocs()
	for b.Loop() {
		NewJSON(io.Discard).Map(m, PrintOpts{})
	}
}

func BenchmarkPrintHist(b *testing.B) {
	m := &Map{Name: "@lat", Agg: ast.AggHist, Keyed: true}
	for i := range 100 {
		h := &Hist{Buckets: make([]uint64, 66)}
		for j := 2; j < 40; j++ {
			h.Buckets[j] = uint64(i*j + 1)
		}
		m.Entries = append(m.Entries, Entry{Key: []Value{Int(int64(i))}, Value: HistValue(h)})
	}
	b.ReportAllocs()
	for b.Loop() {
		NewText(io.Discard, io.Discard).Map(m, PrintOpts{})
	}
}
