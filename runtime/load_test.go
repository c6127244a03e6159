package runtime

import (
	"encoding/binary"
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
	obj, err := codegen.Compile(prog, codegen.Options{Kernel: NewKernelInfo(liveTracefs(t)), Params: params})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return obj
}

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

// bpftraceCountSize is the xlated size in bytes of bpftrace 0.17's program
// for `tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }`, per
// `bpftool prog show` on the project's kernel (31 instructions).
const bpftraceCountSize = 248

func TestCountProgramSize(t *testing.T) {
	requireKernel(t)
	obj := compileLive(t, `tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }`)
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
	t.Logf("xlated size: gbt %d bytes, bpftrace 0.17 %d bytes", size, bpftraceCountSize)
	if size > bpftraceCountSize {
		t.Errorf("gbt's program is %d bytes xlated, larger than bpftrace's %d:\n%v", size, bpftraceCountSize, insns)
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
