package runtime

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/lang"
	"github.com/gbt-project/gbt/lang/ast"
)

// compileLive parses, checks and compiles src against the running kernel.
func compileLive(t testing.TB, src string, params ...string) *codegen.Object {
	t.Helper()
	prog, err := lang.Parse("test.bt", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if err := lang.Check(prog, lang.CheckOptions{Params: params}); err != nil {
		t.Fatalf("check: %v", err)
	}
	obj, err := codegen.Compile(prog, codegen.Options{Kernel: NewKernelInfo(liveTracefs(t)), Types: kernelTypes, Params: params})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return obj
}

// kernelTypes is the running kernel's BTF, shared by the tests.
var kernelTypes = NewBTFTypes()

// loadLive loads obj and unloads it when the test ends.
func loadLive(t testing.TB, obj *codegen.Object) *Loaded {
	t.Helper()
	l, err := Load(obj)
	if err != nil {
		if le, ok := err.(*LoadError); ok {
			t.Logf("verifier log:\n%s", le.Log())
		}
		t.Fatalf("load: %v\n%s", err, obj.Listing())
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// bpftraceSizes are the xlated sizes in bytes of bpftrace 0.17's programs
// for these scripts, per `bpftool prog show` on the project's kernel
// (bench/progsize.sh measures them): gbt's must be no larger.
var bpftraceSizes = []struct {
	src  string
	size int
}{
	{`tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }`, 248}, // 31 instructions
	{`tracepoint:syscalls:sys_exit_read { @ = hist(args->ret); }`, 464},
	{`tracepoint:syscalls:sys_exit_read { @[comm] = hist(args->ret); }`, 552},
}

func TestProgramSizes(t *testing.T) {
	requireKernel(t)
	for _, tc := range bpftraceSizes {
		obj := compileLive(t, tc.src)
		l := loadLive(t, obj)
		info, err := l.Programs[obj.Programs[0].Name].Info()
		if err != nil {
			t.Fatal(err)
		}
		insns, err := info.Instructions()
		if err != nil {
			t.Fatal(err)
		}
		size := int(insns.Size())
		t.Logf("%s: xlated size: gbt %d bytes, bpftrace 0.17 %d bytes", tc.src, size, tc.size)
		if size > tc.size {
			t.Errorf("%s: gbt's program is %d bytes xlated, larger than bpftrace's %d:\n%v", tc.src, size, tc.size, insns)
		}
	}
}

// A program the verifier rejects gives a LoadError whose summary points at
// the script position of the failing instruction, with the full log
// available.
func TestLoadVerifierErrorPosition(t *testing.T) {
	requireKernel(t)
	stmt := asm.Comment("2:5 $x = *$p")
	obj := &codegen.Object{Programs: []*codegen.Program{{
		Name: "bad", Probe: "BEGIN", Type: ebpf.RawTracepoint, License: codegen.License,
		Insns: asm.Instructions{
			asm.Mov.Imm(asm.R0, 0).WithSymbol("bad").WithSource(asm.Comment("1:9 $p = 0")),
			asm.LoadMem(asm.R0, asm.R0, 0, asm.DWord).WithSource(stmt),
			asm.Return().WithSource(stmt),
		},
	}}}
	_, err := Load(obj)
	le, ok := err.(*LoadError)
	if !ok || le.Report == nil {
		t.Fatalf("got %v, want a verifier LoadError", err)
	}
	if le.Report.Pos.Line != 2 || le.Report.Pos.Col != 5 {
		t.Errorf("position %v, want 2:5 (%v)", le.Report.Pos, err)
	}
	if !strings.Contains(err.Error(), "2:5") || !strings.Contains(err.Error(), "$x = *$p") {
		t.Errorf("summary %q does not name the statement", err)
	}
	if !strings.Contains(le.Log(), "R0") {
		t.Errorf("full log missing: %q", le.Log())
	}
}

// The aggregations' per-CPU values after a BEGIN run (one CPU) are laid
// out as Map.Agg documents.
func TestAggregationLayouts(t *testing.T) {
	requireKernel(t)
	obj := compileLive(t, `BEGIN { @c = count(); @c = count(); @s = sum(5); @s = sum(-2); @n = min(4); @n = min(-9); @x = max(4); @x = max(2); @a = avg(10); @a = avg(21); @k[comm, 2] = count(); }`)
	l := loadLive(t, obj)
	var begin string
	for _, p := range obj.Programs {
		begin = p.Name
	}
	if _, err := RunOnce(l.Programs[begin]); err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int64{
		"@c": {2, 0}, "@s": {3, 0}, "@n": {-9, 1}, "@x": {4, 1}, "@a": {2, 31},
	}
	for _, m := range obj.Maps {
		w, ok := want[m.ScriptName]
		if !ok {
			continue
		}
		got := sumCPUs(t, l.Maps[m.Name], make([]byte, m.KeySize), m.Agg)
		if got != w {
			t.Errorf("%s: got %v, want %v", m.ScriptName, got, w)
		}
	}
}

// sumCPUs reads a per-CPU value and returns its first two 8-byte words,
// summed over the CPUs for count/sum/avg and taken from the CPU that has a
// value for min/max.
func sumCPUs(t *testing.T, m *ebpf.Map, key []byte, agg ast.AggKind) [2]int64 {
	var per [][]byte
	if err := m.Lookup(key, &per); err != nil {
		t.Fatal(err)
	}
	var out [2]int64
	for _, v := range per {
		w0 := int64(nativeU64(v[0:]))
		var w1 int64
		if len(v) > 8 {
			w1 = int64(nativeU64(v[8:]))
		}
		if agg == ast.AggMin || agg == ast.AggMax {
			// The flag says whether this CPU has a value.
			if w1 == 1 {
				out = [2]int64{w0, 1}
			}
			continue
		}
		out[0] += w0
		out[1] += w1
	}
	return out
}

func nativeU64(b []byte) uint64 { return binary.NativeEndian.Uint64(b) }

// TestHistBuckets puts values into hist() and lhist() maps in the kernel
// and checks that each lands in the bucket whose range, as the printer
// labels it, contains it.
func TestHistBuckets(t *testing.T) {
	requireKernel(t)
	values := []int64{-5, 0, 1, 2, 3, 4, 7, 8, 100, 1000, 4096, 1 << 40, 1<<62 + 3}
	var src strings.Builder
	src.WriteString("BEGIN {")
	for _, v := range values {
		fmt.Fprintf(&src, " $v = %d; @h0 = hist($v); @h2 = hist($v, 2); @l = lhist($v, 0, 1000, 100); @k[\"x\"] = hist($v, 5);", v)
	}
	src.WriteString(" }")
	obj := compileLive(t, src.String())
	l := loadLive(t, obj)
	if _, err := RunOnce(l.Programs[obj.Programs[0].Name]); err != nil {
		t.Fatal(err)
	}
	for _, m := range obj.Maps {
		if m.Hist == nil {
			continue
		}
		got, err := newDecoder(obj).readMap(m, l.Maps[m.Name])
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Entries) != 1 || got.Entries[0].Value.Hist == nil {
			t.Fatalf("%s: got %d entries, want one histogram", m.ScriptName, len(got.Entries))
		}
		if m.KeyType != nil && fmt.Sprint(got.Entries[0].Key) != fmt.Sprint([]Value{Str("x")}) {
			t.Errorf("%s: key %v, want x", m.ScriptName, got.Entries[0].Key)
		}
		h := got.Entries[0].Value.Hist
		want := make([]uint64, len(h.Buckets))
		for _, v := range values {
			i := bucketOf(h, v)
			if i < 0 {
				t.Fatalf("%s: no bucket holds %d", m.ScriptName, v)
			}
			want[i]++
		}
		if fmt.Sprint(h.Buckets) != fmt.Sprint(want) {
			t.Errorf("%s: buckets\n%v, want\n%v", m.ScriptName, h.Buckets, want)
		}
	}
}

// bucketOf finds the bucket whose printed range holds v.
func bucketOf(h *Hist, v int64) int {
	for i := range h.Buckets {
		r := h.bucket(i)
		switch {
		case r.below && (r.signed && v <= int64(r.hi) || !r.signed && uint64(v) <= r.hi):
			if i == 0 && !h.Linear && v >= 0 {
				continue
			}
			return i
		case r.above && v >= int64(r.lo):
			return i
		case !r.below && !r.above && r.signed && v >= int64(r.lo) && v <= int64(r.hi):
			return i
		case !r.below && !r.above && !r.signed && v >= 0 && uint64(v) >= r.lo && uint64(v) <= r.hi:
			return i
		}
	}
	return -1
}

// A compiled script the verifier rejects (a loop it cannot bound) is
// reported at the script's statement.
func TestLoadVerifierErrorFromScript(t *testing.T) {
	requireKernel(t)
	obj := compileLive(t, "BEGIN {\n\t$i = 0;\n\twhile ($i != 5) { $i += 2; }\n}")
	_, err := Load(obj)
	le, ok := err.(*LoadError)
	if !ok || le.Report == nil {
		t.Fatalf("got %v, want a verifier LoadError", err)
	}
	if le.Report.Pos.Line != 3 {
		t.Errorf("reported at %v, want line 3: %v", le.Report.Pos, err)
	}
	t.Logf("summary: %v", err)
}
