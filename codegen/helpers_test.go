package codegen

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/gbt-project/gbt/lang"
	"github.com/gbt-project/gbt/lang/ast"
)

// fakeKernel is a KernelInfo with a few fixed tracepoint formats, taken
// from a 6.x kernel's tracefs.
type fakeKernel map[string]*TracepointFormat

var commonFields = []TracepointField{
	{Name: "common_type", CType: "unsigned short", Offset: 0, Size: 2, Common: true},
	{Name: "common_flags", CType: "unsigned char", Offset: 2, Size: 1, Common: true},
	{Name: "common_preempt_count", CType: "unsigned char", Offset: 3, Size: 1, Common: true},
	{Name: "common_pid", CType: "int", Offset: 4, Size: 4, Signed: true, Common: true},
}

func syscallFormat(event string, args ...TracepointField) *TracepointFormat {
	f := &TracepointFormat{Group: "syscalls", Event: event, Fields: append([]TracepointField{}, commonFields...)}
	f.Fields = append(f.Fields, TracepointField{Name: "__syscall_nr", CType: "int", Offset: 8, Size: 4, Signed: true})
	f.Fields = append(f.Fields, args...)
	return f
}

var testKernel = fakeKernel{
	"syscalls:sys_enter_getppid": syscallFormat("sys_enter_getppid"),
	"syscalls:sys_enter_openat": syscallFormat("sys_enter_openat",
		TracepointField{Name: "dfd", CType: "int", Offset: 16, Size: 8, Signed: false},
		TracepointField{Name: "filename", CType: "const char *", Offset: 24, Size: 8},
		TracepointField{Name: "flags", CType: "int", Offset: 32, Size: 8},
		TracepointField{Name: "mode", CType: "umode_t", Offset: 40, Size: 8}),
	"syscalls:sys_exit_openat": syscallFormat("sys_exit_openat",
		TracepointField{Name: "ret", CType: "long", Offset: 16, Size: 8, Signed: true}),
	"sched:sched_switch": {Group: "sched", Event: "sched_switch", Fields: append(append([]TracepointField{}, commonFields...),
		TracepointField{Name: "prev_comm", CType: "char[16]", Offset: 8, Size: 16, ArrayLen: 16, Signed: true},
		TracepointField{Name: "prev_pid", CType: "pid_t", Offset: 24, Size: 4, Signed: true},
		TracepointField{Name: "prev_prio", CType: "int", Offset: 28, Size: 4, Signed: true},
		TracepointField{Name: "prev_state", CType: "long", Offset: 32, Size: 8, Signed: true},
		TracepointField{Name: "next_comm", CType: "char[16]", Offset: 40, Size: 16, ArrayLen: 16, Signed: true},
		TracepointField{Name: "next_pid", CType: "pid_t", Offset: 56, Size: 4, Signed: true},
		TracepointField{Name: "next_prio", CType: "int", Offset: 60, Size: 4, Signed: true})},
}

func (k fakeKernel) MatchTracepoints(pattern string) ([]string, error) {
	var out []string
	for name := range k {
		if ok, _ := path.Match(pattern, name); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil, fmt.Errorf("no tracepoint matches %s", pattern)
	}
	return out, nil
}

func (k fakeKernel) Tracepoint(group, event string) (*TracepointFormat, error) {
	if f := k[group+":"+event]; f != nil {
		return f, nil
	}
	return nil, fmt.Errorf("unknown tracepoint %s:%s", group, event)
}

// parseCheck parses and checks a script.
func parseCheck(src string, params ...string) (*ast.Program, error) {
	prog, err := lang.Parse("test.bt", []byte(src))
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if err := lang.Check(prog, lang.CheckOptions{Params: params}); err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	return prog, nil
}

// compileSrc parses, checks and compiles a script.
func compileSrc(src string, params ...string) (*Object, error) {
	prog, err := parseCheck(src, params...)
	if err != nil {
		return nil, err
	}
	return Compile(prog, Options{Kernel: testKernel, Types: testTypes, Params: params})
}

func mustCompile(t testing.TB, src string, params ...string) *Object {
	t.Helper()
	obj, err := compileSrc(src, params...)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return obj
}

// fakeTypes is a TypeInfo with a few members of struct task_struct.
type fakeTypes map[string]*Member

var testTypes = fakeTypes{
	"struct task_struct.pid":         {Offset: 2456, Size: 4, Kind: MemberInt, Signed: true},
	"struct task_struct.tgid":        {Offset: 2460, Size: 4, Kind: MemberInt, Signed: true},
	"struct task_struct.real_parent": {Offset: 2480, Size: 8, Kind: MemberPointer, Elem: "struct task_struct"},
	"struct task_struct.comm":        {Offset: 3000, Size: 16, Kind: MemberArray, Elem: "char", Len: 16},
	"struct task_struct.se":          {Offset: 128, Size: 256, Kind: MemberRecord, Elem: "struct sched_entity"},
	"struct sched_entity.vruntime":   {Offset: 96, Size: 8, Kind: MemberInt},
	"struct task_struct.flags":       {Offset: 44, Size: 4, Kind: MemberInt, Bitfield: true},
}

// RawTracepointArgs knows sys_enter's two arguments (regs, id).
func (f fakeTypes) RawTracepointArgs(event string) (int, error) {
	if event == "sys_enter" {
		return 2, nil
	}
	return 0, fmt.Errorf("raw tracepoint %s: unknown", event)
}

// Member walks a dotted path through the Elem of embedded records.
func (f fakeTypes) Member(typ, member string) (*Member, error) {
	rec, off := typ, 0
	var m *Member
	path := strings.Split(member, ".")
	for i, name := range path {
		if i > 0 {
			if m.Kind != MemberRecord {
				return nil, fmt.Errorf("member %s of %s is not a struct or union", strings.Join(path[:i], "."), typ)
			}
			rec, off = m.Elem, off+m.Offset
		}
		if m = f[rec+"."+name]; m == nil {
			return nil, fmt.Errorf("%s has no member named %s", rec, name)
		}
	}
	out := *m
	out.Offset += off
	return &out, nil
}

// testSizes are the sizes of the named types fakeTypes knows.
var testSizes = map[string]int{
	"struct task_struct":  3264,
	"struct sched_entity": 256,
	"union bpf_attr":      168,
	"enum pid_type":       4,
	"pid_t":               4,
	"atomic_t":            4,
}

func (f fakeTypes) Size(typ string) (int, error) {
	if n, ok := testSizes[typ]; ok {
		return n, nil
	}
	return 0, fmt.Errorf("unknown type %s", typ)
}

// refusal compiles src, which the code generator must refuse, and returns
// its diagnostics; without them it reports the test's failure and returns
// nil.
func refusal(t *testing.T, src string) ast.ErrorList {
	t.Helper()
	_, err := compileSrc(src)
	return diagnostics(t, src, err)
}

// diagnostics returns the diagnostics in err, the result of compiling src;
// without them it reports the test's failure and returns nil.
func diagnostics(t *testing.T, src string, err error) ast.ErrorList {
	t.Helper()
	var list ast.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Errorf("%s: want a diagnostic, got %v", src, err)
		return nil
	}
	return list
}
