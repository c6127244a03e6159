package runtime

import (
	"errors"
	"fmt"
	"io"

	"github.com/cilium/ebpf"
)

// ProbeKind names a kind of attach point, in bpftrace's long spelling.
type ProbeKind string

// The probe kinds the runtime knows. Begin and End are not attached: the
// caller runs their programs once with RunOnce.
const (
	KindBegin         ProbeKind = "begin"
	KindEnd           ProbeKind = "end"
	KindTracepoint    ProbeKind = "tracepoint"
	KindRawTracepoint ProbeKind = "rawtracepoint"
	KindInterval      ProbeKind = "interval"
	KindProfile       ProbeKind = "profile"
	KindSoftware      ProbeKind = "software"
	KindHardware      ProbeKind = "hardware"
	KindUprobe        ProbeKind = "uprobe"
	KindUretprobe     ProbeKind = "uretprobe"
	KindUSDT          ProbeKind = "usdt"
	KindKprobe        ProbeKind = "kprobe"
	KindKretprobe     ProbeKind = "kretprobe"
	KindFentry        ProbeKind = "fentry"
	KindFexit         ProbeKind = "fexit"
	KindWatchpoint    ProbeKind = "watchpoint"
)

// AttachPoint says where one loaded program attaches. It is plain data, one
// per attach point: a probe whose pattern expands to several tracepoints has
// one AttachPoint for each. The fields each kind reads:
//
//	kind           Target                   Symbol    Offset   Period          Frequency  Pid
//	tracepoint     "group:event"
//	rawtracepoint  "event" (sched_switch)
//	interval                                                   nanoseconds
//	profile                                                    nanoseconds     hz
//	software       event ("page-faults")                       count (0: default)
//	hardware       event ("cycles")                            count (0: default)
//	uprobe(ret)    binary path              function  offset                              pid (0: all)
//	usdt           binary path              prov:name address in file                     pid (0: all)
//	kprobe(ret)    function                           offset
//	fentry, fexit  function
//	watchpoint     address (decimal or 0x)
//
// For profile exactly one of Period and Frequency is set. For a uprobe
// without Symbol, Offset is the address in the binary.
type AttachPoint struct {
	Kind      ProbeKind
	Target    string
	Symbol    string
	Offset    uint64
	Period    uint64
	Frequency uint64
	Pid       int
}

// String renders the attach point as a probe would be written in a script,
// for messages: "tracepoint:sched:sched_switch", "profile:hz:99".
func (ap AttachPoint) String() string {
	switch ap.Kind {
	case KindBegin, KindEnd:
		return string(ap.Kind)
	case KindInterval:
		return "interval:" + periodString(ap.Period)
	case KindProfile:
		if ap.Frequency != 0 {
			return fmt.Sprintf("profile:hz:%d", ap.Frequency)
		}
		return "profile:" + periodString(ap.Period)
	case KindSoftware, KindHardware:
		if ap.Period != 0 {
			return fmt.Sprintf("%s:%s:%d", ap.Kind, ap.Target, ap.Period)
		}
	case KindUprobe, KindUretprobe:
		if ap.Symbol == "" {
			return fmt.Sprintf("%s:%s:%#x", ap.Kind, ap.Target, ap.Offset)
		}
		if ap.Offset != 0 {
			return fmt.Sprintf("%s:%s:%s+%d", ap.Kind, ap.Target, ap.Symbol, ap.Offset)
		}
		return fmt.Sprintf("%s:%s:%s", ap.Kind, ap.Target, ap.Symbol)
	case KindUSDT:
		return fmt.Sprintf("usdt:%s:%s", ap.Target, ap.Symbol)
	case KindKprobe, KindKretprobe:
		if ap.Offset != 0 {
			return fmt.Sprintf("%s:%s+%d", ap.Kind, ap.Target, ap.Offset)
		}
	}
	return fmt.Sprintf("%s:%s", ap.Kind, ap.Target)
}

// periodString writes a period in nanoseconds in the largest unit that
// divides it: "s:1", "ms:10", "us:250"; "ns:..." otherwise.
func periodString(ns uint64) string {
	for _, u := range []struct {
		name string
		ns   uint64
	}{{"s", 1e9}, {"ms", 1e6}, {"us", 1e3}} {
		if ns != 0 && ns%u.ns == 0 {
			return fmt.Sprintf("%s:%d", u.name, ns/u.ns)
		}
	}
	return fmt.Sprintf("ns:%d", ns)
}

// Attach attaches prog, already loaded with the program type the kind needs
// (tracepoint: TracePoint; rawtracepoint: RawTracepoint; interval, profile,
// software, hardware: PerfEvent; uprobe, kprobe: Kprobe; fentry/fexit:
// Tracing), at ap. Closing the result detaches it. Errors name the attach
// point; a kind the kernel lacks gives a *MissingFeatureError.
func Attach(prog *ebpf.Program, ap AttachPoint) (io.Closer, error) {
	c, err := attach(prog, ap)
	if err != nil {
		var missing *MissingFeatureError
		if errors.As(err, &missing) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", ap, err)
	}
	return c, nil
}

func attach(prog *ebpf.Program, ap AttachPoint) (io.Closer, error) {
	switch ap.Kind {
	case KindTracepoint:
		return AttachTracepoint(prog, ap.Target)
	case KindRawTracepoint:
		return AttachRawTracepoint(prog, ap.Target)
	case KindInterval:
		return AttachInterval(prog, ap.Period)
	case KindProfile:
		return AttachProfile(prog, ap.Frequency, ap.Period)
	case KindSoftware:
		return AttachSoftware(prog, ap.Target, ap.Period)
	case KindUprobe, KindUretprobe:
		return AttachUprobe(prog, ap)
	case KindUSDT:
		return attachUSDTPoint(prog, ap)
	case KindHardware, KindKprobe, KindKretprobe, KindFentry, KindFexit, KindWatchpoint:
		return attachOptional(prog, ap)
	case KindBegin, KindEnd:
		return nil, fmt.Errorf("%s programs are not attached: run them with RunOnce", ap.Kind)
	}
	return nil, fmt.Errorf("unknown probe kind %q", ap.Kind)
}

// closers closes a group of attachments as one, such as the per-CPU perf
// events of one profile probe.
type closers []io.Closer

// Close closes every member, returning the first error.
func (cs closers) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
