package runtime

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/google/go-cmp/cmp"
)

// Types of the test BTF.
var (
	btfInt     = &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	btfLong    = &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
	btfChar    = &btf.Int{Name: "char", Size: 1, Encoding: btf.Char}
	btfU64     = &btf.Typedef{Name: "u64", Type: &btf.Int{Name: "long long unsigned int", Size: 8}}
	btfTask    = &btf.Struct{Name: "task_struct", Size: 8}
	btfVoidPtr = &btf.Pointer{Target: &btf.Void{}}
	btfString  = &btf.Pointer{Target: &btf.Const{Type: btfChar}}
)

// testBTF returns raw BTF, in the given byte order, holding two raw
// tracepoints and a function:
//
//	btf_trace_gbt_event: (void *, struct task_struct *, int), whose
//	    argument names __probestub_gbt_event gives;
//	btf_trace_gbt_bare: (void *, const char *, u64), with no names;
//	long gbt_func(const char *path, int flags).
func testBTF(t *testing.T, order binary.ByteOrder) []byte {
	t.Helper()
	param := func(name string, typ btf.Type) btf.FuncParam { return btf.FuncParam{Name: name, Type: typ} }
	event := &btf.FuncProto{Return: &btf.Void{}, Params: []btf.FuncParam{
		param("", btfVoidPtr), param("", &btf.Pointer{Target: btfTask}), param("", btfInt),
	}}
	stub := &btf.FuncProto{Return: &btf.Void{}, Params: []btf.FuncParam{
		param("__data", btfVoidPtr), param("p", &btf.Pointer{Target: btfTask}), param("n", btfInt),
	}}
	bare := &btf.FuncProto{Return: &btf.Void{}, Params: []btf.FuncParam{
		param("", btfVoidPtr), param("", btfString), param("", btfU64),
	}}
	fn := &btf.FuncProto{Return: btfLong, Params: []btf.FuncParam{param("path", btfString), param("flags", btfInt)}}
	types := []btf.Type{
		&btf.Typedef{Name: "btf_trace_gbt_event", Type: &btf.Pointer{Target: event}},
		&btf.Func{Name: "__probestub_gbt_event", Type: stub, Linkage: btf.GlobalFunc},
		&btf.Typedef{Name: "btf_trace_gbt_bare", Type: &btf.Pointer{Target: bare}},
		&btf.Func{Name: "gbt_func", Type: fn, Linkage: btf.GlobalFunc},
	}
	b, err := btf.NewBuilder(types, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b.Marshal(nil, &btf.MarshalOptions{Order: order})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// testBTFDir writes testBTF as a BTF directory's vmlinux.
func testBTFDir(t *testing.T, order binary.ByteOrder) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "vmlinux"), testBTF(t, order), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBTFModuleNames(t *testing.T) {
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		dir := testBTFDir(t, order)
		got, err := btfModuleNames(dir, btfKindTypedef, "btf_trace_")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"vmlinux:gbt_event", "vmlinux:gbt_bare"}, got); diff != "" {
			t.Errorf("%v: raw tracepoints (-want +got):\n%s", order, diff)
		}
		got, err = btfModuleNames(dir, btfKindFunc, "gbt_")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"vmlinux:func"}, got); diff != "" {
			t.Errorf("%v: functions (-want +got):\n%s", order, diff)
		}
	}
	if got, err := btfModuleNames(t.TempDir(), btfKindTypedef, "btf_trace_"); got != nil || err != nil {
		t.Errorf("a directory without BTF gives %q, %v; want nothing", got, err)
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "vmlinux"), testBTF(t, binary.LittleEndian)[:40], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := btfModuleNames(bad, btfKindTypedef, "btf_trace_"); err == nil {
		t.Error("truncated BTF: no error")
	}
}

func TestListRawTracepointsBTF(t *testing.T) {
	dir := testBTFDir(t, binary.LittleEndian)
	list := func(pattern string, verbose bool) []ListedProbe {
		probes, err := ListProbes(pattern, ListOptions{Verbose: verbose, Tracefs: testTracefs, BTFDir: dir, Features: noKernelKinds})
		if err != nil {
			t.Fatalf("ListProbes(%q): %v", pattern, err)
		}
		return probes
	}
	want := []ListedProbe{
		{Name: "rawtracepoint:vmlinux:gbt_bare", Args: []string{"const char *", "u64"}},
		{Name: "rawtracepoint:vmlinux:gbt_event", Args: []string{"struct task_struct * p", "int n"}},
	}
	if diff := cmp.Diff(want, list("rawtracepoint:*", true)); diff != "" {
		t.Errorf("-lv rawtracepoint:* (-want +got):\n%s", diff)
	}
	for _, pattern := range []string{"rt:gbt_event", "rawtracepoint:vmlinux:gbt_e*", "*:*:gbt_event", "*gbt_event"} {
		if diff := cmp.Diff([]string{"rawtracepoint:vmlinux:gbt_event"}, names(list(pattern, false))); diff != "" {
			t.Errorf("ListProbes(%q) (-want +got):\n%s", pattern, diff)
		}
	}
	if got := list("rawtracepoint:othermod:*", false); got != nil {
		t.Errorf("rawtracepoint:othermod:* = %v, want none", got)
	}
}

func TestListFentryBTF(t *testing.T) {
	dir := testBTFDir(t, binary.LittleEndian)
	withFentry := &Features{Kprobes: noKernelKinds.Kprobes}
	list := func(pattern string, f *Features) []ListedProbe {
		probes, err := ListProbes(pattern, ListOptions{Verbose: true, Tracefs: testTracefs, BTFDir: dir, Features: f})
		if err != nil {
			t.Fatalf("ListProbes(%q): %v", pattern, err)
		}
		return probes
	}
	want := []ListedProbe{{Name: "fentry:vmlinux:gbt_func", Args: []string{"const char * path", "int flags"}}}
	if diff := cmp.Diff(want, list("fentry:gbt_*", withFentry)); diff != "" {
		t.Errorf("-lv fentry:gbt_* (-want +got):\n%s", diff)
	}
	want = []ListedProbe{{Name: "fexit:vmlinux:gbt_func", Args: []string{"const char * path", "int flags", "long retval"}}}
	if diff := cmp.Diff(want, list("kretfunc:vmlinux:gbt_func", withFentry)); diff != "" {
		t.Errorf("-lv kretfunc:vmlinux:gbt_func (-want +got):\n%s", diff)
	}
	if got := list("fentry:*", noKernelKinds); got != nil {
		t.Errorf("without fentry, fentry:* lists %v", got)
	}
}

func TestCDecl(t *testing.T) {
	tests := []struct {
		typ  btf.Type
		name string
		want string
	}{
		{btfInt, "n", "int n"},
		{btfString, "filename", "const char * filename"},
		{&btf.Pointer{Target: btfString}, "argv", "const char ** argv"},
		{&btf.Pointer{Target: &btf.Const{Type: btfString}}, "argv", "const char *const * argv"},
		{&btf.Array{Type: btfChar, Nelems: 16}, "comm", "char comm[16]"},
		{&btf.Array{Type: &btf.Array{Type: btfInt, Nelems: 3}, Nelems: 2}, "m", "int m[2][3]"},
		{&btf.Pointer{Target: &btf.Volatile{Type: btfLong}}, "", "volatile long *"},
		{&btf.Restrict{Type: btfVoidPtr}, "p", "void *restrict p"},
		{&btf.Pointer{Target: &btf.Union{Name: "u"}}, "x", "union u * x"},
		{&btf.Enum{Name: "skb_drop_reason", Size: 4}, "reason", "enum skb_drop_reason reason"},
		{&btf.Pointer{Target: &btf.Fwd{Name: "rq", Kind: btf.FwdStruct}}, "rq", "struct rq * rq"},
		{&btf.Pointer{Target: &btf.FuncProto{Return: btfInt}}, "cb", "int (*)() cb"},
		{btfU64, "", "u64"},
	}
	for _, tt := range tests {
		if got := cDecl(tt.typ, tt.name); got != tt.want {
			t.Errorf("cDecl(%v, %q) = %q, want %q", tt.typ, tt.name, got, tt.want)
		}
	}
}
