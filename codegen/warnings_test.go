package codegen

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The warnings and their positions are bpftrace 0.17's for the same
// scripts, with its type names as current bpftrace spells them ('uint64'
// for 'unsigned int64').
func TestSignWarnings(t *testing.T) {
	const (
		cmp64  = "comparison of integers of different signs: 'int64' and 'uint64' can lead to undefined behavior"
		cmpU64 = "comparison of integers of different signs: 'uint64' and 'int64' can lead to undefined behavior"
		ar64   = "arithmetic on integers of different signs: 'int64' and 'uint64' can lead to undefined behavior"
		arU64  = "arithmetic on integers of different signs: 'uint64' and 'int64' can lead to undefined behavior"
		div    = "signed operands for '/' can lead to undefined behavior (cast to unsigned to silence warning)"
		mod    = "signed operands for '%' can lead to undefined behavior (cast to unsigned to silence warning)"
	)
	tests := []struct {
		src  string
		want []string
	}{
		{`BEGIN { $a = -1; $b = (uint64)2; if ($a < $b) { printf("x\n"); } $c = $a / $b; $d = 5 / 2; $e = $a % 3; @x = pid / 2; @y = -3 / 2; exit(); }`,
			[]string{"1:41-42 " + cmp64, "1:74-75 " + ar64, "1:74-75 " + div, "1:100-101 " + mod, "1:127-128 " + div}},
		{`BEGIN { $a = -1; $b = (uint64)2; $c = $a + $b; $d = $a * $b; $e = $a & $b; $f = $a << $b; $g = $b - 1; $h = $b < -1; $i = $b == $a; $j = $a > 5; $k = $b + -1; $l = $a % $b; exit(); }`,
			[]string{"1:42-43 " + ar64, "1:56-57 " + ar64, "1:112-113 " + cmpU64, "1:126-128 " + cmpU64, "1:154-155 " + arU64, "1:168-169 " + ar64, "1:168-169 " + mod}},
		// A tracepoint field has its C type: ret is a long, prev_pid a
		// pid_t.
		{`tracepoint:syscalls:sys_exit_openat { @ = hist(args->ret / 1000); @c[args->ret > 0] = count(); exit(); }`,
			[]string{"1:58-59 " + div}},
		{`tracepoint:sched:sched_switch { @ = args->prev_pid / 2; exit(); }`,
			[]string{"1:52-53 " + div}},
		// Several attach points, one warning.
		{`tracepoint:syscalls:sys_enter_getppid, tracepoint:syscalls:sys_enter_openat { $x = -5; @ = sum($x % 7); exit(); }`,
			[]string{"1:99-100 " + mod}},
	}
	for _, tt := range tests {
		obj := mustCompile(t, tt.src)
		var got []string
		for _, w := range obj.Warnings {
			got = append(got, fmt.Sprintf("%s-%d %s", w.Pos, w.End.Col, w.Msg))
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: warnings differ (-want +got):\n%s", tt.src, diff)
		}
	}
}
