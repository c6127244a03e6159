package lang

import (
	"strings"
	"testing"
)

// The builtins that act on the system are refused without
// CheckOptions.Unsafe and accepted with it; the others do not care.
func TestUnsafeBuiltins(t *testing.T) {
	tests := []struct {
		src    string
		unsafe bool // the script calls an unsafe builtin
	}{
		{`tracepoint:syscalls:sys_enter_getppid { system("kill %d", pid); }`, true},
		{`tracepoint:syscalls:sys_enter_getppid { signal("SIGKILL"); }`, true},
		{`tracepoint:syscalls:sys_enter_getppid { signal(9); }`, true},
		{`kprobe:vfs_read { override(-1); }`, true},
		{`tracepoint:syscalls:sys_enter_getppid { printf("%d\n", pid); cat("/proc/%d/stat", pid); }`, false},
	}
	for _, tc := range tests {
		prog, err := Parse("t.bt", []byte(tc.src))
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		if err := Check(prog, CheckOptions{Unsafe: true}); err != nil {
			t.Errorf("%s with Unsafe: %v", tc.src, err)
		}
		list := diagnose("t.bt", []byte(tc.src))
		switch {
		case !tc.unsafe && len(list) != 0:
			t.Errorf("%s without Unsafe: %v", tc.src, list)
		case tc.unsafe && (len(list) != 1 || !strings.HasSuffix(list[0].Msg, "() is an unsafe function being used in safe mode") ||
			list[0].Hint != "run gbt with --unsafe to allow it"):
			t.Errorf("%s without Unsafe: got %v, want one refusal with a hint", tc.src, list)
		}
	}
}
