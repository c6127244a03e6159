package runtime

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/google/go-cmp/cmp"
)

// parseLines decodes every non-empty line of JSON output.
func parseLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, line := range strings.Split(out, "\n") {
		if line == "" {
			continue
		}
		var obj map[string]any
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		objs = append(objs, obj)
	}
	return objs
}

// TestJSONParses checks that every line of every printing case is a JSON
// object with a known type and a data field.
func TestJSONParses(t *testing.T) {
	types := map[string]bool{"attached_probes": true, "printf": true, "map": true, "hist": true, "stats": true, "value": true}
	for _, tc := range printCases {
		var out bytes.Buffer
		replay(tc.ops, NewJSON(&out))
		for _, obj := range parseLines(t, out.String()) {
			if typ, _ := obj["type"].(string); !types[typ] {
				t.Errorf("%s: unexpected type in %v", tc.name, obj)
			}
			if _, ok := obj["data"]; !ok {
				t.Errorf("%s: no data in %v", tc.name, obj)
			}
		}
	}
}

func TestJSONStructures(t *testing.T) {
	var out bytes.Buffer
	o := NewJSON(&out)
	o.AttachedProbes(3)
	o.Printf("a \"q\" \\ \t\x01 é\n")
	o.Time("12:00:00\n")
	o.Join("a b")
	o.Value(Tuple(Int(-1), Str("x"), Tuple(Uint(2))))
	o.Map(&Map{Name: "@k", Agg: ast.AggSum, Keyed: true, Entries: []Entry{
		{Key: []Value{Str("b"), Int(2)}, Value: Int(9)},
		{Key: []Value{Str("a\n"), Int(1)}, Value: Int(-4)},
	}}, PrintOpts{})
	o.Map(&Map{Name: "@s", Agg: ast.AggStats, Entries: []Entry{{Value: Avg(4, -10, true)}}}, PrintOpts{Top: 1, Div: 2})
	o.Map(&Map{Name: "@top", Agg: ast.AggHist, Entries: []Entry{{Value: HistValue(&Hist{Buckets: topBuckets()})}}}, PrintOpts{})
	o.LostEvents(7)
	want := []map[string]any{
		{"type": "attached_probes", "data": map[string]any{"probes": json.Number("3")}},
		{"type": "printf", "data": "a \"q\" \\ \t\x01 é\n"},
		{"type": "time", "data": "12:00:00\n"},
		{"type": "join", "data": "a b"},
		{"type": "value", "data": []any{json.Number("-1"), "x", []any{json.Number("2")}}},
		{"type": "map", "data": map[string]any{"@k": map[string]any{"a\n,1": json.Number("-4"), "b,2": json.Number("9")}}},
		{"type": "stats", "data": map[string]any{"@s": map[string]any{"count": json.Number("4"), "average": json.Number("-2"), "total": json.Number("-10")}}},
		{"type": "hist", "data": map[string]any{"@top": []any{
			map[string]any{"min": json.Number("4611686018427387904"), "max": json.Number("9223372036854775807"), "count": json.Number("1")},
			map[string]any{"min": json.Number("9223372036854775808"), "max": json.Number("18446744073709551615"), "count": json.Number("2")},
		}}},
		{"type": "lost_events", "data": map[string]any{"events": json.Number("7")}},
	}
	if diff := cmp.Diff(want, parseLines(t, out.String())); diff != "" {
		t.Errorf("JSON output (-want +got):\n%s", diff)
	}
	if !strings.Contains(out.String(), `"a \"q\" \\ \t\u0001 é\n"`) {
		t.Errorf("printf escapes differ from bpftrace's: %s", out.String())
	}
}

// topBuckets is a log2 histogram with counts in its two highest buckets,
// [4E, 8E) and [8E, 16E).
func topBuckets() []uint64 {
	b := make([]uint64, 66)
	b[64], b[65] = 1, 2
	return b
}

func TestHistLabels(t *testing.T) {
	var out bytes.Buffer
	NewText(&out, io.Discard).Map(&Map{Name: "@top", Agg: ast.AggHist, Entries: []Entry{{Value: HistValue(&Hist{Buckets: topBuckets()})}}}, PrintOpts{})
	want := "@top: \n" +
		"[4E, 8E)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n" +
		"[8E, 16E)              2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	// With k bits, each power of two splits into 2^k intervals: for k = 2,
	// bucket 27 starts at 128 + 3*32 = 224 (bpftrace's worked example), and
	// buckets 1..8 count the single values 0..7.
	h := &Hist{K: 2, Buckets: make([]uint64, 40)}
	for _, tc := range []struct {
		i    int
		want string
	}{{0, "(..., 0)"}, {1, "[0]"}, {8, "[7]"}, {9, "[8, 10)"}, {28, "[224, 256)"}, {29, "[256, 320)"}} {
		if got := string(appendBucketLabel(nil, h, tc.i)); got != tc.want {
			t.Errorf("k=2 bucket %d: label %q, want %q", tc.i, got, tc.want)
		}
	}
	if r := h.bucket(28); r.lo != 224 || r.hi != 255 {
		t.Errorf("k=2 bucket 28 = [%d, %d], want [224, 255]", r.lo, r.hi)
	}
}

// TestStacks compares stacks as keys, values and tuple elements with output
// captured from bpftrace 0.17 (testdata/print/stacks.txtar).
func TestStacks(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "print", "stacks.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	g := parseArchive(data)
	k3 := &Stack{Frames: []Frame{{Addr: 0xffffffff814c254b, Sym: "perf_syscall_enter+475"}, {Addr: 0xffffffff81423c90, Sym: "syscall_trace_enter+384"}, {Addr: 0xffffffff81e0a0ef, Sym: "do_syscall_64+527"}}}
	k2 := &Stack{Frames: k3.Frames[:2]}
	k1 := &Stack{Frames: k3.Frames[:1]}
	kp := &Stack{Mode: StackPerf, Frames: k3.Frames[:2]}
	up := &Stack{Mode: StackPerf, User: true, Frames: []Frame{{Addr: 0x7f5fc7242b1d}}}
	maps := []*Map{
		{Name: "@", Agg: ast.AggCount, Keyed: true, Entries: []Entry{{Key: []Value{StackValue(k3)}, Value: Uint(31)}}},
		{Name: "@kk", Keyed: true, Entries: []Entry{{Key: []Value{StackValue(k2), Int(5)}, Value: Int(1)}}},
		{Name: "@kp", Agg: ast.AggCount, Keyed: true, Entries: []Entry{{Key: []Value{StackValue(kp)}, Value: Uint(31)}}},
		{Name: "@t", Entries: []Entry{{Value: Tuple(StackValue(k1), Int(2))}}},
		{Name: "@u", Agg: ast.AggCount, Keyed: true, Entries: []Entry{{Key: []Value{StackValue(up)}, Value: Uint(1)}}},
		{Name: "@v", Entries: []Entry{{Value: StackValue(k1)}}},
	}
	var text bytes.Buffer
	to := NewText(&text, io.Discard)
	for _, m := range maps {
		to.Map(m, PrintOpts{})
	}
	diffLines(t, "text", text.String(), g["stdout"])

	var js bytes.Buffer
	jo := NewJSON(&js)
	jo.Value(StackValue(k1))
	for _, m := range maps[:4] {
		jo.Map(m, PrintOpts{})
	}
	diffLines(t, "json", js.String(), g["json"])
}
