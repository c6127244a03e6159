package runtime

import (
	"fmt"
	"io"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// This file attaches the probe kinds that many kernels lack: kprobes,
// fentry/fexit and hardware counters. Each is attached normally when
// ProbeFeatures finds it; otherwise the attach fails with a
// MissingFeatureError that names the missing feature and an alternative.

// MissingFeatureError reports an attach point whose kind the running kernel
// does not support. It wraps ebpf.ErrNotSupported.
type MissingFeatureError struct {
	Probe       string // "kprobe:do_sys_openat2"
	Feature     string // "kprobes"
	Reason      error  // from ProbeFeatures: "CONFIG_KPROBES is off: not supported"
	Alternative string // "tracepoint:syscalls:sys_enter_openat"; may be empty
}

// Error reads "kprobe:f: this kernel has no kprobes (reason); try alternative".
func (e *MissingFeatureError) Error() string {
	reason := strings.TrimSuffix(e.Reason.Error(), ": "+ebpf.ErrNotSupported.Error())
	msg := fmt.Sprintf("%s: this kernel has no %s (%s)", e.Probe, e.Feature, reason)
	if e.Alternative != "" {
		msg += "; try " + e.Alternative
	}
	return msg
}

// Unwrap returns the feature probe's error, which wraps ebpf.ErrNotSupported.
func (e *MissingFeatureError) Unwrap() error { return e.Reason }

// hardwareEvents are the hardware:<event> names and aliases.
var hardwareEvents = map[string]perfEventKind{
	"cpu-cycles":          {unix.PERF_COUNT_HW_CPU_CYCLES, 1000000},
	"cycles":              {unix.PERF_COUNT_HW_CPU_CYCLES, 1000000},
	"instructions":        {unix.PERF_COUNT_HW_INSTRUCTIONS, 1000000},
	"cache-references":    {unix.PERF_COUNT_HW_CACHE_REFERENCES, 1000000},
	"cache-misses":        {unix.PERF_COUNT_HW_CACHE_MISSES, 1000000},
	"branch-instructions": {unix.PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 100000},
	"branches":            {unix.PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 100000},
	"branch-misses":       {unix.PERF_COUNT_HW_BRANCH_MISSES, 100000},
	"bus-cycles":          {unix.PERF_COUNT_HW_BUS_CYCLES, 100000},
	"frontend-stalls":     {unix.PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, 1000000},
	"backend-stalls":      {unix.PERF_COUNT_HW_STALLED_CYCLES_BACKEND, 1000000},
	"ref-cycles":          {unix.PERF_COUNT_HW_REF_CPU_CYCLES, 1000000},
}

// attachOptional attaches kprobe, kretprobe, fentry, fexit, hardware and
// watchpoint probes.
func attachOptional(prog *ebpf.Program, ap AttachPoint) (io.Closer, error) {
	if err := missingFeature(ap); err != nil {
		return nil, err
	}
	switch ap.Kind {
	case KindKprobe:
		return link.Kprobe(ap.Target, prog, &link.KprobeOptions{Offset: ap.Offset})
	case KindKretprobe:
		return link.Kretprobe(ap.Target, prog, nil)
	case KindFentry, KindFexit:
		// The target function was fixed when the program was loaded
		// (ProgramSpec.AttachTo).
		return link.AttachTracing(link.TracingOptions{Program: prog})
	case KindHardware:
		kind, ok := hardwareEvents[ap.Target]
		if !ok {
			return nil, fmt.Errorf("unknown hardware event %q", ap.Target)
		}
		count := ap.Period
		if count == 0 {
			count = kind.defaultPeriod
		}
		cpus, err := OnlineCPUs()
		if err != nil {
			return nil, err
		}
		attr := &unix.PerfEventAttr{Type: unix.PERF_TYPE_HARDWARE, Config: kind.config, Sample: count}
		return attachPerfEvent(prog, attr, cpus)
	}
	return nil, fmt.Errorf("gbt does not support %s probes; trace the code that writes the address with a uprobe instead", ap.Kind)
}

// missingFeature returns a *MissingFeatureError when the kernel lacks what
// ap's kind needs, and nil otherwise.
func missingFeature(ap AttachPoint) error {
	f := ProbeFeatures()
	switch ap.Kind {
	case KindKprobe, KindKretprobe:
		if f.Kprobes != nil {
			return &MissingFeatureError{Probe: ap.String(), Feature: "kprobes", Reason: f.Kprobes,
				Alternative: suggestForFunction(ap.Target, ap.Kind == KindKretprobe)}
		}
	case KindFentry, KindFexit:
		if f.Fentry != nil {
			alt := suggestForFunction(ap.Target, ap.Kind == KindFexit)
			if f.Kprobes == nil {
				alt = "kprobe:" + ap.Target
				if ap.Kind == KindFexit {
					alt = "kretprobe:" + ap.Target
				}
			}
			return &MissingFeatureError{Probe: ap.String(), Feature: "fentry/fexit", Reason: f.Fentry, Alternative: alt}
		}
	case KindHardware:
		if f.HardwarePerf != nil {
			return &MissingFeatureError{Probe: ap.String(), Feature: "hardware performance counters",
				Reason: f.HardwarePerf, Alternative: "profile:hz:99 or software:cpu-clock"}
		}
	}
	return nil
}

// syscallPrefixes are the prefixes of kernel functions that implement
// system calls, longest first.
var syscallPrefixes = []string{
	"__x64_sys_", "__ia32_sys_", "__arm64_sys_", "__se_sys_", "__do_sys_",
	"do_sys_", "ksys_", "__sys_", "sys_", "vfs_",
}

// suggestForFunction proposes a tracepoint to use instead of a kprobe or
// fentry on the kernel function fn (at its return when ret is set): the
// syscall tracepoint of a syscall implementation, a tracepoint named like
// the function, or a wildcard pattern of tracepoints that mention it. It
// checks its proposals against tracefs when tracefs is mounted.
func suggestForFunction(fn string, ret bool) string {
	fs, _ := OpenTracefs(false, nil)
	exists := func(tp string) bool {
		if fs == nil {
			return false
		}
		_, err := fs.Match(tp)
		return err == nil
	}
	dir := "enter"
	if ret {
		dir = "exit"
	}
	for _, prefix := range syscallPrefixes {
		name, ok := strings.CutPrefix(fn, prefix)
		if !ok || name == "" {
			continue
		}
		// do_sys_openat2 serves open, openat and openat2: prefer the
		// common call the digit-less name gives.
		candidates := []string{strings.TrimRight(name, "0123456789"), name}
		for _, c := range candidates {
			if tp := "syscalls:sys_" + dir + "_" + c; exists(tp) {
				return "tracepoint:" + tp
			}
		}
		if fs == nil {
			return "tracepoint:syscalls:sys_" + dir + "_" + candidates[0]
		}
	}
	if fs == nil {
		return "a tracepoint or rawtracepoint"
	}
	if matches, err := fs.Match("*:" + fn); err == nil && len(matches) > 0 {
		return "tracepoint:" + matches[0]
	}
	if matches, err := fs.Match("*:*" + fn + "*"); err == nil && len(matches) > 0 {
		if len(matches) == 1 {
			return "tracepoint:" + matches[0]
		}
		return "one of tracepoint:*:*" + fn + "*"
	}
	return "a tracepoint or rawtracepoint"
}
