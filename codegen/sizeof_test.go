package codegen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/lang/ast"
)

// insnText renders a program's instructions without their source
// comments, so that two scripts that compile to the same code compare
// equal.
func insnText(t *testing.T, src string) []string {
	t.Helper()
	obj := mustCompile(t, src)
	var out []string
	for _, p := range obj.Programs {
		for _, ins := range p.Insns {
			out = append(out, fmt.Sprintf("%v %s %s", ins, ins.Symbol(), ins.Reference()))
		}
	}
	return out
}

// sizeof and offsetof compile to the constant itself: the same code as
// storing the number, whatever the argument (which is never evaluated).
func TestSizeofConstants(t *testing.T) {
	tests := []struct {
		probe, expr string
		want        int
	}{
		{"BEGIN", "sizeof(int8)", 1},
		{"BEGIN", "sizeof(uint16)", 2},
		{"BEGIN", "sizeof(int)", 4},
		{"BEGIN", "sizeof(unsigned long)", 8},
		{"BEGIN", "sizeof(char[16])", 16},
		{"BEGIN", "sizeof(bool)", 1},
		{"BEGIN", "sizeof(struct task_struct)", 3264},
		{"BEGIN", "sizeof(struct task_struct *)", 8},
		{"BEGIN", "sizeof(union bpf_attr)", 168},
		{"BEGIN", "sizeof(enum pid_type)", 4},
		{"BEGIN", "sizeof(atomic_t)", 4},
		{"BEGIN", "sizeof(comm)", 16},
		{"BEGIN", "sizeof(pid)", 4},
		{"BEGIN", "sizeof(nsecs)", 8},
		{"BEGIN", `sizeof("abc")`, 4},
		{"BEGIN", "sizeof(true)", 1},
		{"BEGIN", "sizeof(1)", 8},
		{"BEGIN", "sizeof(curtask)", 8},
		{"BEGIN", "sizeof(kstack)", 16},
		{"BEGIN", "sizeof(ustack)", 24},
		{"BEGIN", "sizeof(ksym(1))", 8},
		{"BEGIN", `sizeof(strftime("%H", nsecs))`, 16},
		{"BEGIN", "sizeof(buf(curtask, 10))", 14},
		{"BEGIN", `sizeof((1, "abc"))`, 16},
		{"BEGIN", `sizeof(((int8)1, (int16)2))`, 4},
		{"BEGIN", `sizeof(((int8)1, "ab", (int32)3))`, 8},
		{"BEGIN", `sizeof(((int8)1, ((int8)2, (int16)3)))`, 6},
		{"BEGIN", "sizeof(((struct task_struct *)curtask)->comm)", 16},
		{"BEGIN", "sizeof(((struct task_struct *)curtask)->se)", 256},
		{"BEGIN", "sizeof(((struct task_struct *)curtask)->pid)", 4},
		{"BEGIN", "sizeof(*((struct task_struct *)curtask))", 3264},
		{"tracepoint:syscalls:sys_enter_openat", "sizeof(args.filename)", 8},
		{"tracepoint:syscalls:sys_enter_openat", "sizeof(args.dfd)", 8},
		{"tracepoint:syscalls:sys_enter_openat", "sizeof(args.mode)", 2},
		{"tracepoint:sched:sched_switch", "sizeof(args.prev_comm)", 16},
		{"tracepoint:sched:sched_switch", "sizeof(args.prev_pid)", 4},
		{"BEGIN", "offsetof(struct task_struct, pid)", 2456},
		{"BEGIN", "offsetof(struct task_struct, se)", 128},
		{"BEGIN", "offsetof(*((struct task_struct *)curtask), comm)", 3000},
		{"BEGIN", "offsetof(((struct task_struct *)curtask)->se, vruntime)", 96},
		{"BEGIN", "offsetof(struct task_struct, se.vruntime)", 224},
	}
	for _, tc := range tests {
		got := insnText(t, fmt.Sprintf("%s { @ = %s; }", tc.probe, tc.expr))
		want := insnText(t, fmt.Sprintf("%s { @ = (uint64)%d; }", tc.probe, tc.want))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: not the constant %d (-want +got):\n%s", tc.expr, tc.want, diff)
		}
	}
}

// sizeof's argument is not evaluated: no increment, no map lookup.
func TestSizeofDoesNotEvaluate(t *testing.T) {
	got := insnText(t, `BEGIN { @m[1] = 2; $x = 1; @s = sizeof($x++) + sizeof(@m[1]); @x = $x; }`)
	want := insnText(t, `BEGIN { @m[1] = 2; $x = 1; @s = (uint64)8 + (uint64)8; @x = $x; }`)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sizeof evaluated its argument (-want +got):\n%s", diff)
	}
}

// The result is a uint64, as in bpftrace.
func TestSizeofType(t *testing.T) {
	obj := mustCompile(t, `BEGIN { @a = sizeof(int8); @b = offsetof(struct task_struct, pid); }`)
	for _, m := range obj.Maps {
		if m.Name != "@a" && m.Name != "@b" {
			continue
		}
		if vt := m.ValueType; vt == nil || !vt.Equal(ast.Int(8, false)) {
			t.Errorf("%s: value type %v, want uint64", m.Name, vt)
		}
	}
}

// Unknown types and members, and arguments that are not records, are
// refused with a positioned error.
func TestSizeofRefusals(t *testing.T) {
	tests := []struct{ src, msg, at string }{
		{`BEGIN { @ = sizeof(struct nonesuch); }`, "unknown type struct nonesuch", "struct nonesuch"},
		{`BEGIN { @ = sizeof(task_struct); }`, "unknown type task_struct", "task_struct"},
		{`BEGIN { @ = sizeof(struct task_struct[2]); }`, "arrays", "struct task_struct[2]"},
		{`BEGIN { @ = sizeof(probe); }`, "sizeof() of a probe value is not supported", "probe"},
		{`tracepoint:sched:sched_switch { @ = sizeof(args); }`, "sizeof(args) is not supported", "args"},
		{`BEGIN { @ = sizeof(((struct task_struct *)curtask)->nosuch); }`, "no member named nosuch", "(struct task_struct *)curtask)->nosuch"},
		{`BEGIN { @ = offsetof(struct task_struct, nonesuch); }`, "struct task_struct has no member named nonesuch", "nonesuch"},
		{`BEGIN { @ = offsetof(struct nonesuch, x); }`, "struct nonesuch has no member named x", "x"},
		{`BEGIN { @ = offsetof(struct task_struct, pid.x); }`, "member pid of struct task_struct is not a struct or union", "pid.x"},
		{`BEGIN { @ = offsetof(struct task_struct, se.nosuch); }`, "struct sched_entity has no member named nosuch", "se.nosuch"},
		{`BEGIN { @ = offsetof(struct task_struct, flags); }`, "flags of struct task_struct is a bit-field", "flags"},
		{`BEGIN { @ = offsetof(int, x); }`, "'int32' is not a struct or union", "int"},
		{`BEGIN { @ = offsetof(curtask, pid); }`, "'struct task_struct *' is not a struct or union", "curtask"},
	}
	for _, tc := range tests {
		list := refusal(t, tc.src)
		if list == nil {
			continue
		}
		d := list[0]
		if len(list) != 1 || !strings.Contains(d.Msg, tc.msg) {
			t.Errorf("%s: got %v, want only %q", tc.src, list, tc.msg)
			continue
		}
		if at := tc.src[d.Pos.Offset:d.End.Offset]; at != tc.at {
			t.Errorf("%s: error at %q, want at %q", tc.src, at, tc.at)
		}
	}
}

// Without the kernel's types, integer sizes are still known; kernel
// types are refused, not guessed.
func TestSizeofWithoutTypes(t *testing.T) {
	compile := func(src string) error {
		prog, err := parseCheck(src)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Compile(prog, Options{})
		return err
	}
	if err := compile(`BEGIN { @ = sizeof(uint32) + sizeof(comm); }`); err != nil {
		t.Errorf("integer sizes without Types: %v", err)
	}
	for _, src := range []string{
		`BEGIN { @ = sizeof(struct task_struct); }`,
		`BEGIN { @ = offsetof(struct task_struct, pid); }`,
	} {
		if err := compile(src); err == nil || !strings.Contains(err.Error(), "needs the kernel's type information") {
			t.Errorf("%s without Types: %v", src, err)
		}
	}
}
