package stdlib

import (
	"sort"
	"strings"
)

// ProbeKindInfo describes one probe kind: how its attach points are spelled
// and whether the project's kernel can attach it.
type ProbeKindInfo struct {
	Name     string   // canonical lower-case name: "tracepoint"
	Aliases  []string // other spellings: "t"; legacy names such as "kfunc"
	Parts    []string // the parts after the kind, as shown in help: {"subsys", "event"}
	MinParts int      // fewest colon-separated parts after the kind
	MaxParts int      // most parts after the kind
	Form     string   // example: "tracepoint:subsys:event"
	// Absent names the kernel feature the project's machines lack for this
	// kind ("" when it attaches); Alternative suggests what to use instead.
	// Whether the running kernel has the feature is the runtime's question.
	Absent      string
	Alternative string
	Doc         string
}

var probeKinds = []*ProbeKindInfo{
	{Name: "begin", Aliases: []string{"BEGIN"}, Form: "BEGIN", Doc: "runs once when tracing starts"},
	{Name: "end", Aliases: []string{"END"}, Form: "END", Doc: "runs once when tracing stops"},
	{Name: "tracepoint", Aliases: []string{"t"}, Parts: []string{"subsys", "event"}, MinParts: 2, MaxParts: 2,
		Form: "tracepoint:subsys:event", Doc: "a static kernel tracepoint; wildcards allowed"},
	{Name: "rawtracepoint", Aliases: []string{"rt"}, Parts: []string{"[module]", "event"}, MinParts: 1, MaxParts: 2,
		Form: "rawtracepoint[:module]:event", Doc: "a raw kernel tracepoint, with the raw arguments"},
	{Name: "kprobe", Aliases: []string{"k"}, Parts: []string{"[module]", "function[+offset]"}, MinParts: 1, MaxParts: 2,
		Form: "kprobe[:module]:function", Absent: "kprobes (CONFIG_KPROBES is off)",
		Alternative: "tracepoint:syscalls:sys_enter_* or a rawtracepoint", Doc: "entry of a kernel function"},
	{Name: "kretprobe", Aliases: []string{"kr"}, Parts: []string{"[module]", "function"}, MinParts: 1, MaxParts: 2,
		Form: "kretprobe[:module]:function", Absent: "kprobes (CONFIG_KPROBES is off)",
		Alternative: "tracepoint:syscalls:sys_exit_* or a rawtracepoint", Doc: "return of a kernel function"},
	{Name: "fentry", Aliases: []string{"f", "kfunc"}, Parts: []string{"[module]", "function"}, MinParts: 1, MaxParts: 2,
		Form: "fentry[:module]:function", Absent: "fentry/fexit (program load is refused)",
		Alternative: "tracepoint:syscalls:sys_enter_* or a rawtracepoint", Doc: "entry of a kernel function, with BTF-typed args"},
	{Name: "fexit", Aliases: []string{"fr", "kretfunc"}, Parts: []string{"[module]", "function"}, MinParts: 1, MaxParts: 2,
		Form: "fexit[:module]:function", Absent: "fentry/fexit (program load is refused)",
		Alternative: "tracepoint:syscalls:sys_exit_* or a rawtracepoint", Doc: "return of a kernel function, with BTF-typed args and retval"},
	{Name: "uprobe", Aliases: []string{"u"}, Parts: []string{"binary", "function[+offset]"}, MinParts: 2, MaxParts: 2,
		Form: "uprobe:/path/to/binary:function", Doc: "entry of a user-space function"},
	{Name: "uretprobe", Aliases: []string{"ur"}, Parts: []string{"binary", "function"}, MinParts: 2, MaxParts: 2,
		Form: "uretprobe:/path/to/binary:function", Doc: "return of a user-space function"},
	{Name: "usdt", Aliases: []string{"U"}, Parts: []string{"binary", "[provider]", "probe"}, MinParts: 2, MaxParts: 3,
		Form: "usdt:/path/to/binary:[provider:]probe", Doc: "a user-space statically defined tracepoint"},
	{Name: "profile", Aliases: []string{"p"}, Parts: []string{"unit", "rate"}, MinParts: 1, MaxParts: 2,
		Form: "profile:hz:99", Doc: "timed sampling on every CPU (units hz, s, ms, us)"},
	{Name: "interval", Aliases: []string{"i"}, Parts: []string{"unit", "period"}, MinParts: 1, MaxParts: 2,
		Form: "interval:s:1", Doc: "timed event on one CPU (units hz, s, ms, us, or interval:1s)"},
	{Name: "software", Aliases: []string{"s"}, Parts: []string{"event", "[count]"}, MinParts: 1, MaxParts: 2,
		Form: "software:cpu-clock:100000", Doc: "a kernel software perf event, sampled every count events"},
	{Name: "hardware", Aliases: []string{"h"}, Parts: []string{"event", "[count]"}, MinParts: 1, MaxParts: 2,
		Form: "hardware:cycles:1000000", Absent: "hardware performance counters (no PMU)",
		Alternative: "software:cpu-clock or profile:hz:99", Doc: "a hardware perf counter, sampled every count events"},
	{Name: "watchpoint", Aliases: []string{"w"}, Parts: []string{"address", "length", "mode"}, MinParts: 3, MaxParts: 3,
		Form: "watchpoint:0x10000000:8:rw", Absent: "hardware breakpoints (no PMU)",
		Alternative: "a tracepoint on the code that writes the memory", Doc: "memory access breakpoint"},
	{Name: "iter", Aliases: []string{"it"}, Parts: []string{"object"}, MinParts: 1, MaxParts: 1,
		Form: "iter:task", Absent: "BPF iterators (tracing programs are refused)",
		Alternative: "interval:s:1 with a walk over a map you maintain", Doc: "iterate over kernel objects: task, task_file, ..."},
}

// SoftwareEvents lists the names (and short names) of software perf events.
var SoftwareEvents = map[string]string{
	"cpu-clock": "cpu-clock", "cpu": "cpu-clock",
	"task-clock":  "task-clock",
	"page-faults": "page-faults", "faults": "page-faults",
	"context-switches": "context-switches", "cs": "context-switches",
	"cpu-migrations":   "cpu-migrations",
	"minor-faults":     "minor-faults",
	"major-faults":     "major-faults",
	"alignment-faults": "alignment-faults",
	"emulation-faults": "emulation-faults",
	"dummy":            "dummy",
	"bpf-output":       "bpf-output",
}

// HardwareEvents lists the names (and short names) of hardware perf events.
var HardwareEvents = map[string]string{
	"cpu-cycles": "cpu-cycles", "cycles": "cpu-cycles",
	"instructions":        "instructions",
	"cache-references":    "cache-references",
	"cache-misses":        "cache-misses",
	"branch-instructions": "branch-instructions", "branches": "branch-instructions",
	"branch-misses":   "branch-misses",
	"bus-cycles":      "bus-cycles",
	"frontend-stalls": "frontend-stalls",
	"backend-stalls":  "backend-stalls",
	"ref-cycles":      "ref-cycles",
}

var probeByName = func() map[string]*ProbeKindInfo {
	m := map[string]*ProbeKindInfo{}
	for _, k := range probeKinds {
		m[k.Name] = k
		for _, a := range k.Aliases {
			m[a] = k
		}
	}
	return m
}()

// ProbeKind finds a probe kind by its canonical name or an alias. Names of
// more than one letter are case-insensitive ("Tracepoint", "kFunc"); the
// one-letter aliases are not, since "u" is uprobe and "U" is usdt.
func ProbeKind(name string) *ProbeKindInfo {
	if k := probeByName[name]; k != nil {
		return k
	}
	if len(name) > 1 {
		lower := strings.ToLower(name)
		for _, k := range probeKinds {
			if k.Name == lower {
				return k
			}
			for _, a := range k.Aliases {
				if len(a) > 1 && strings.ToLower(a) == lower {
					return k
				}
			}
		}
	}
	return nil
}

// ProbeKinds returns every probe kind, sorted by name.
func ProbeKinds() []*ProbeKindInfo {
	out := append([]*ProbeKindInfo(nil), probeKinds...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// kernelFuncAlternatives maps kernel functions that scripts often probe to
// tracepoints that see the same events.
var kernelFuncAlternatives = map[string]string{
	"do_sys_open":           "tracepoint:syscalls:sys_enter_openat",
	"do_sys_openat2":        "tracepoint:syscalls:sys_enter_openat",
	"vfs_open":              "tracepoint:syscalls:sys_enter_openat",
	"vfs_read":              "tracepoint:syscalls:sys_enter_read",
	"vfs_write":             "tracepoint:syscalls:sys_enter_write",
	"ksys_read":             "tracepoint:syscalls:sys_enter_read",
	"ksys_write":            "tracepoint:syscalls:sys_enter_write",
	"do_nanosleep":          "tracepoint:syscalls:sys_enter_nanosleep",
	"hrtimer_nanosleep":     "tracepoint:syscalls:sys_enter_clock_nanosleep",
	"do_execve":             "tracepoint:syscalls:sys_enter_execve",
	"do_exit":               "tracepoint:sched:sched_process_exit",
	"wake_up_new_task":      "tracepoint:sched:sched_wakeup_new",
	"finish_task_switch":    "tracepoint:sched:sched_switch",
	"try_to_wake_up":        "tracepoint:sched:sched_wakeup",
	"tcp_drop":              "tracepoint:skb:kfree_skb",
	"kfree_skb_reason":      "tracepoint:skb:kfree_skb",
	"tcp_retransmit_skb":    "tracepoint:tcp:tcp_retransmit_skb",
	"tcp_set_state":         "tracepoint:sock:inet_sock_set_state",
	"blk_account_io_start":  "tracepoint:block:block_io_start",
	"blk_account_io_done":   "tracepoint:block:block_io_done",
	"blk_mq_start_request":  "tracepoint:block:block_rq_issue",
	"__blk_account_io_done": "tracepoint:block:block_rq_complete",
	"handle_mm_fault":       "software:page-faults:1",
	"kmem_cache_alloc":      "tracepoint:kmem:kmem_cache_alloc",
	"kmalloc":               "tracepoint:kmem:kmalloc",
	"kfree":                 "tracepoint:kmem:kfree",
}

// Alternative suggests an attach point this project's kernel can attach in
// place of kind:target, or "" when the kind attaches. Syscall entry points
// (__x64_sys_read, sys_read, ksys_read) map to their syscall tracepoints.
func Alternative(kind, target string) string {
	k := ProbeKind(kind)
	if k == nil || k.Absent == "" {
		return ""
	}
	fn := target
	if i := strings.LastIndexByte(fn, ':'); i >= 0 {
		fn = fn[i+1:]
	}
	if i := strings.IndexByte(fn, '+'); i >= 0 {
		fn = fn[:i]
	}
	exit := k.Name == "kretprobe" || k.Name == "fexit"
	if alt, ok := kernelFuncAlternatives[fn]; ok {
		if exit {
			alt = strings.Replace(alt, "sys_enter_", "sys_exit_", 1)
		}
		return alt
	}
	for _, prefix := range []string{"__x64_sys_", "__arm64_sys_", "__se_sys_", "__do_sys_", "ksys_", "sys_"} {
		if name, ok := strings.CutPrefix(fn, prefix); ok && name != "" && !strings.ContainsAny(name, "*?") {
			if exit {
				return "tracepoint:syscalls:sys_exit_" + name
			}
			return "tracepoint:syscalls:sys_enter_" + name
		}
	}
	return k.Alternative
}
