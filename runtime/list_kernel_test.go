package runtime

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestListLiveTracepoints checks the listing of the running kernel's
// tracepoints against the other list tracefs keeps, available_events.
func TestListLiveTracepoints(t *testing.T) {
	fs := liveTracefs(t)
	data, err := os.ReadFile(filepath.Join(fs.Dir, "available_events"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range strings.Fields(string(data)) {
		if !strings.HasPrefix(line, "ftrace:") {
			want = append(want, "tracepoint:"+line)
		}
	}
	slices.Sort(want)
	probes, err := ListProbes("tracepoint:*", ListOptions{Tracefs: fs})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, names(probes)); diff != "" {
		t.Errorf("tracepoint:* against available_events (-want +got):\n%s", diff)
	}

	probes, err = ListProbes("tracepoint:syscalls:sys_enter_openat", ListOptions{Tracefs: fs, Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	wantArgs := []ListedProbe{{Name: "tracepoint:syscalls:sys_enter_openat", Args: []string{
		"int __syscall_nr", "int dfd", "const char * filename", "int flags", "umode_t mode",
	}}}
	if diff := cmp.Diff(wantArgs, probes); diff != "" {
		t.Errorf("-lv sys_enter_openat (-want +got):\n%s", diff)
	}
}

// TestListLiveRawTracepoints lists raw tracepoints from the kernel's BTF.
func TestListLiveRawTracepoints(t *testing.T) {
	if !fileExists(filepath.Join(btfKernelDir, "vmlinux")) {
		t.Skip("the kernel has no BTF")
	}
	probes, err := ListProbes("rawtracepoint:sched_switch", ListOptions{Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(probes) != 1 || probes[0].Name != "rawtracepoint:vmlinux:sched_switch" {
		t.Fatalf("rawtracepoint:sched_switch = %v", probes)
	}
	for _, arg := range []string{"struct task_struct * prev", "struct task_struct * next"} {
		if !contains(probes[0].Args, arg) {
			t.Errorf("sched_switch arguments %q lack %q", probes[0].Args, arg)
		}
	}
}

// BenchmarkListTracepoints measures the full tracepoint listing of the
// running kernel, which should take well under 100ms (bpftrace -l takes
// about 300ms here).
func BenchmarkListTracepoints(b *testing.B) {
	fs := liveTracefs(b)
	n := 0
	for b.Loop() {
		probes, err := ListProbes("tracepoint:*", ListOptions{Tracefs: fs})
		if err != nil {
			b.Fatal(err)
		}
		n = len(probes)
	}
	b.ReportMetric(float64(n), "tracepoints")
}

// BenchmarkListAll measures gbt -l with no pattern: tracepoints, raw
// tracepoints from BTF, perf events, and the kprobe and fentry checks.
func BenchmarkListAll(b *testing.B) {
	fs := liveTracefs(b)
	for b.Loop() {
		if _, err := ListProbes("", ListOptions{Tracefs: fs}); err != nil {
			b.Fatal(err)
		}
	}
}
