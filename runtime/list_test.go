package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// noKernelKinds is a Features that says kprobes and fentry do not attach,
// so that listings of the recorded tracefs and test BTF never look at the
// running kernel.
var noKernelKinds = &Features{
	Kprobes: notSupported("test: no kprobes"),
	Fentry:  notSupported("test: no fentry"),
}

// recordedList lists from the recorded tracefs and a BTF directory
// without BTF, so only tracepoints and perf events are found.
func recordedList(t *testing.T, pattern string, verbose bool) []ListedProbe {
	t.Helper()
	probes, err := ListProbes(pattern, ListOptions{
		Verbose: verbose, Tracefs: testTracefs, BTFDir: t.TempDir(), Features: noKernelKinds,
	})
	if err != nil {
		t.Fatalf("ListProbes(%q): %v", pattern, err)
	}
	return probes
}

func names(probes []ListedProbe) []string {
	var out []string
	for _, p := range probes {
		out = append(out, p.Name)
	}
	return out
}

func TestSplitListPattern(t *testing.T) {
	tests := []struct {
		pattern  string
		kinds    []string
		rest     string
		explicit bool
		err      string
	}{
		{pattern: "", kinds: kernelKinds, rest: "*"},
		{pattern: "*sleep*", kinds: kernelKinds, rest: "*sleep*"},
		{pattern: "*:*", kinds: kernelKinds, rest: "*"},
		{pattern: "tracepoint", kinds: []string{"tracepoint"}, rest: "*", explicit: true},
		{pattern: "t:sched:*", kinds: []string{"tracepoint"}, rest: "sched:*", explicit: true},
		{pattern: "Tracepoint:sched:*", kinds: []string{"tracepoint"}, rest: "sched:*", explicit: true},
		{pattern: "kfunc:vfs_*", kinds: []string{"fentry"}, rest: "vfs_*", explicit: true},
		{pattern: "U:/bin/x:p", kinds: []string{"usdt"}, rest: "/bin/x:p", explicit: true},
		{pattern: "*tracepoint:x", kinds: []string{"rawtracepoint", "tracepoint"}, rest: "x"},
		{pattern: "?probe:x", kinds: []string{"kprobe"}, rest: "x"},
		{pattern: "BEGIN", kinds: []string{"begin"}, rest: "*", explicit: true},
		{pattern: "nosuch:*", err: `unknown probe kind "nosuch" in "nosuch:*"`},
	}
	for _, tt := range tests {
		kinds, rest, explicit, err := splitListPattern(tt.pattern)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("splitListPattern(%q): error %v, want %q", tt.pattern, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("splitListPattern(%q): %v", tt.pattern, err)
			continue
		}
		if diff := cmp.Diff(tt.kinds, kinds); diff != "" || rest != tt.rest || explicit != tt.explicit {
			t.Errorf("splitListPattern(%q) = %q, %v; want %q, %v; kinds (-want +got):\n%s", tt.pattern, rest, explicit, tt.rest, tt.explicit, diff)
		}
	}
}

func TestListTracepointPatterns(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{"tracepoint:*", []string{
			"tracepoint:dma:dma_map_sg", "tracepoint:fib:fib_table_lookup",
			"tracepoint:raw_syscalls:sys_enter", "tracepoint:raw_syscalls:sys_exit",
			"tracepoint:sched:sched_process_exec", "tracepoint:sched:sched_process_exit", "tracepoint:sched:sched_switch",
			"tracepoint:syscalls:sys_enter_getppid", "tracepoint:syscalls:sys_enter_openat", "tracepoint:syscalls:sys_exit_openat",
		}},
		{"tracepoint:syscalls:*", []string{
			"tracepoint:syscalls:sys_enter_getppid", "tracepoint:syscalls:sys_enter_openat", "tracepoint:syscalls:sys_exit_openat",
		}},
		{"t:sched:sched_process_e?e?", []string{"tracepoint:sched:sched_process_exec"}},
		{"tracepoint:syscalls:sys_enter_openat", []string{"tracepoint:syscalls:sys_enter_openat"}},
		// '*' spans the colon: a group prefix finds the group's events.
		{"tracepoint:raw_sys*", []string{"tracepoint:raw_syscalls:sys_enter", "tracepoint:raw_syscalls:sys_exit"}},
		{"tracepoint:*:*openat", []string{"tracepoint:syscalls:sys_enter_openat", "tracepoint:syscalls:sys_exit_openat"}},
		// Without a ':', the glob may match the event alone.
		{"tracepoint:sys_enter_openat", []string{"tracepoint:syscalls:sys_enter_openat"}},
		{"tracepoint:sys_e*", []string{
			"tracepoint:raw_syscalls:sys_enter", "tracepoint:raw_syscalls:sys_exit",
			"tracepoint:syscalls:sys_enter_getppid", "tracepoint:syscalls:sys_enter_openat", "tracepoint:syscalls:sys_exit_openat",
		}},
		{"*:sched_switch", []string{"tracepoint:sched:sched_switch"}},
		// No kind: every kernel kind, here tracepoints and software events.
		{"*exit*", []string{
			"tracepoint:raw_syscalls:sys_exit", "tracepoint:sched:sched_process_exit", "tracepoint:syscalls:sys_exit_openat",
		}},
		{"*cpu-*", []string{"hardware:cpu-cycles:", "software:cpu-clock:", "software:cpu-migrations:"}},
		// ftrace's own record formats are not tracepoints.
		{"tracepoint:ftrace:*", nil},
		{"tracepoint:nosuch:*", nil},
		{"tracepoint:syscalls:nosuch", nil},
		{"kprobe:*", nil},
		{"fentry:*", nil},
		{"BEGIN", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, names(recordedList(t, tt.pattern, false))); diff != "" {
			t.Errorf("ListProbes(%q) (-want +got):\n%s", tt.pattern, diff)
		}
	}
}

func TestListTracepointArgs(t *testing.T) {
	got := recordedList(t, "tracepoint:sched:sched_s*", true)
	want := []ListedProbe{{Name: "tracepoint:sched:sched_switch", Args: []string{
		"char prev_comm[16]", "pid_t prev_pid", "int prev_prio", "long prev_state",
		"char next_comm[16]", "pid_t next_pid", "int next_prio",
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-lv sched_switch (-want +got):\n%s", diff)
	}

	var out bytes.Buffer
	if err := WriteProbes(&out, recordedList(t, "t:*:sys_enter_openat", true)); err != nil {
		t.Fatal(err)
	}
	const wantText = `tracepoint:syscalls:sys_enter_openat
    int __syscall_nr
    int dfd
    const char * filename
    int flags
    umode_t mode
`
	if diff := cmp.Diff(wantText, out.String()); diff != "" {
		t.Errorf("-lv sys_enter_openat output (-want +got):\n%s", diff)
	}

	exec := recordedList(t, "tracepoint:sched:sched_process_exec", true)
	if diff := cmp.Diff([]string{"__data_loc char[] filename", "pid_t pid", "pid_t old_pid"}, exec[0].Args); diff != "" {
		t.Errorf("-lv sched_process_exec (-want +got):\n%s", diff)
	}
}

func TestListPerfEvents(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{"software:*", []string{
			"software:alignment-faults:", "software:bpf-output:", "software:context-switches:",
			"software:cpu-clock:", "software:cpu-migrations:", "software:cpu:", "software:cs:",
			"software:dummy:", "software:emulation-faults:", "software:faults:", "software:major-faults:",
			"software:minor-faults:", "software:page-faults:", "software:task-clock:",
		}},
		{"hardware:*", []string{
			"hardware:backend-stalls:", "hardware:branch-instructions:", "hardware:branch-misses:",
			"hardware:branches:", "hardware:bus-cycles:", "hardware:cache-misses:", "hardware:cache-references:",
			"hardware:cpu-cycles:", "hardware:cycles:", "hardware:frontend-stalls:", "hardware:instructions:",
			"hardware:ref-cycles:",
		}},
		{"s:cs", []string{"software:cs:"}},
		{"software:page-faults:", []string{"software:page-faults:"}},
		{"h:*cycles", []string{"hardware:bus-cycles:", "hardware:cpu-cycles:", "hardware:cycles:", "hardware:ref-cycles:"}},
		{"*ware:*fault*", []string{
			"software:alignment-faults:", "software:emulation-faults:", "software:faults:",
			"software:major-faults:", "software:minor-faults:", "software:page-faults:",
		}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, names(recordedList(t, tt.pattern, false))); diff != "" {
			t.Errorf("ListProbes(%q) (-want +got):\n%s", tt.pattern, diff)
		}
	}
}

// fakeTracefs is a tracefs directory with no events and the given
// available_filter_functions.
func fakeTracefs(t *testing.T, filterFunctions string) *Tracefs {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "events"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "available_filter_functions"), []byte(filterFunctions), 0o644); err != nil {
		t.Fatal(err)
	}
	return &Tracefs{Dir: dir}
}

func TestListKprobes(t *testing.T) {
	fs := fakeTracefs(t, "vfs_read\nvfs_write\nvfs_read.part.0\next4_sync_fs [ext4]\ndo_nanosleep\n")
	list := func(pattern string, f *Features) []string {
		probes, err := ListProbes(pattern, ListOptions{Tracefs: fs, BTFDir: t.TempDir(), Features: f})
		if err != nil {
			t.Fatalf("ListProbes(%q): %v", pattern, err)
		}
		return names(probes)
	}
	withKprobes := &Features{Fentry: noKernelKinds.Fentry}
	tests := []struct {
		pattern string
		want    []string
	}{
		{"kprobe:vfs_*", []string{"kprobe:vfs_read", "kprobe:vfs_write"}},
		{"kretprobe:*sync*", []string{"kretprobe:ext4:ext4_sync_fs"}},
		{"k:ext4:*", []string{"kprobe:ext4:ext4_sync_fs"}},
		{"*sleep*", []string{"kprobe:do_nanosleep"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, list(tt.pattern, withKprobes)); diff != "" {
			t.Errorf("ListProbes(%q) (-want +got):\n%s", tt.pattern, diff)
		}
	}
	if got := list("kprobe:*", noKernelKinds); got != nil {
		t.Errorf("without kprobes, kprobe:* lists %q", got)
	}
	// An unreadable available_filter_functions lists nothing, silently.
	if err := os.Remove(filepath.Join(fs.Dir, "available_filter_functions")); err != nil {
		t.Fatal(err)
	}
	if got := list("kprobe:*", withKprobes); got != nil {
		t.Errorf("without available_filter_functions, kprobe:* lists %q", got)
	}
}

func TestListErrors(t *testing.T) {
	tests := []struct{ pattern, err string }{
		{"frobnicate:*", `unknown probe kind "frobnicate"`},
		{"uprobe:", "listing uprobe probes needs a binary"},
		{"usdt:", "listing usdt probes needs a binary"},
		{"uprobe:/nonexistent/gbt-test:*", "no such file or directory"},
		{"uprobe:/nonexistent/gbt-*:*", "no ELF file matches"},
	}
	for _, tt := range tests {
		_, err := ListProbes(tt.pattern, ListOptions{Tracefs: testTracefs, Features: noKernelKinds})
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ListProbes(%q): error %v, want one containing %q", tt.pattern, err, tt.err)
		}
	}
	// A wildcard kind skips a source it cannot read; an explicit kind
	// reports it.
	broken := &Tracefs{Dir: filepath.Join(t.TempDir(), "missing")}
	if _, err := ListProbes("tracepoint:*", ListOptions{Tracefs: broken, Features: noKernelKinds}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("tracepoint:* from a missing tracefs: error %v, want not-exist", err)
	}
	var warnings []string
	warnf := func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }
	got, err := ListProbes("*:cs", ListOptions{Tracefs: broken, BTFDir: t.TempDir(), Features: noKernelKinds, Warnf: warnf})
	if err != nil || len(got) != 1 || got[0].Name != "software:cs:" {
		t.Errorf("*:cs from a missing tracefs = %v, %v; want software:cs:", got, err)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "no tracepoint probes listed: ") {
		t.Errorf("*:cs from a missing tracefs warned %q, want one warning about tracepoints", warnings)
	}
}
