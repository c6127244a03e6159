package codegen

import (
	"strings"
	"testing"
)

// Constructs the code generator does not support are refused with a
// positioned diagnostic.
func TestRefusals(t *testing.T) {
	tests := []struct{ src, msg string }{
		{`BEGIN { $t = (struct task_struct *)curtask; @ = $t->flags; }`, "bit-field flags"},
		{`BEGIN { $t = (struct task_struct *)curtask; @ = $t->nosuch; }`, "no member named nosuch"},
		{`BEGIN { @m[1] = hist(1); for ($kv : @m) { printf("x"); } }`, "a for loop over the hist() map @m is not implemented yet"},
		{`tracepoint:syscalls:sys_enter_openat { print(args); }`, "print(args) is not supported: print its fields (args.NAME) instead"},
		{`kfunc:vfs_read { @ = args.count; }`, "args in fentry probes needs the BTF types of vfs_read's arguments"},
		{`fexit:vfs_read { @ = retval; }`, "retval is not available in fexit probes"},
		{`rawtracepoint:sys_enter { @ = arg5; }`, "rawtracepoint:sys_enter has 2 arguments: arg5 does not exist"},
		{`rawtracepoint:vmlinux:sys_enter { @ = arg2; }`, "rawtracepoint:vmlinux:sys_enter has 2 arguments: arg2 does not exist"},
		{`BEGIN { @m[1] = 1; for ($kv : @m) { $a = str($1); $b = str($1); $c = str($1); $d = str($1); $e = str($1); $f = str($1); $g = str($1); $h = str($1); } }`,
			"a for loop's body needs 544 bytes of stack"},
	}
	for _, tc := range tests {
		list := refusal(t, tc.src)
		if list == nil {
			continue
		}
		if len(list) != 1 || !strings.Contains(list[0].Msg, tc.msg) || !list[0].Pos.IsValid() {
			t.Errorf("%s: got %v, want only %q at a position", tc.src, list, tc.msg)
		}
	}
	// The arguments a raw tracepoint has are read.
	mustCompile(t, `rawtracepoint:sys_enter { @ = arg1; }`)
	// Without type information, member access is refused, not guessed.
	prog, err := parseCheck(`BEGIN { $t = (struct task_struct *)curtask; @ = $t->pid; }`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(prog, Options{})
	if err == nil || !strings.Contains(err.Error(), "needs the kernel's type information") {
		t.Errorf("without Types: %v", err)
	}
}

// A tracepoint field that does not exist is one error at the field, in
// bpftrace's words, whatever the expression around it does with it.
func TestMissingTracepointField(t *testing.T) {
	const msg = "Struct/union of type 'struct _tracepoint_syscalls_sys_enter_openat' does not contain a field named 'zz'"
	for _, src := range []string{
		`tracepoint:syscalls:sys_enter_openat { printf("%d\n", args.zz); }`,
		`tracepoint:syscalls:sys_enter_openat { @ = args->zz; }`,
		`tracepoint:syscalls:sys_enter_openat { $x = args.zz + 1; }`,
		`tracepoint:syscalls:sys_enter_openat { @[args.zz] = count(); }`,
	} {
		list := refusal(t, src)
		if list == nil {
			continue
		}
		at := "args.zz"
		if strings.Contains(src, "->") {
			at = "args->zz"
		}
		if len(list) != 1 || list[0].Msg != msg || src[list[0].Pos.Offset:list[0].End.Offset] != at {
			t.Errorf("%s: got %v, want only %q at the field", src, list, msg)
		}
	}
}
