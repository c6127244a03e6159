package runtime

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// perfEventKind is one named perf event: its perf type and config, and the
// sample period bpftrace uses when the script gives no count.
type perfEventKind struct {
	config        uint64
	defaultPeriod uint64
}

// softwareEvents are the software:<event> names and aliases.
var softwareEvents = map[string]perfEventKind{
	"cpu-clock":        {unix.PERF_COUNT_SW_CPU_CLOCK, 1000000},
	"cpu":              {unix.PERF_COUNT_SW_CPU_CLOCK, 1000000},
	"task-clock":       {unix.PERF_COUNT_SW_TASK_CLOCK, 1},
	"page-faults":      {unix.PERF_COUNT_SW_PAGE_FAULTS, 100},
	"faults":           {unix.PERF_COUNT_SW_PAGE_FAULTS, 100},
	"context-switches": {unix.PERF_COUNT_SW_CONTEXT_SWITCHES, 1000},
	"cs":               {unix.PERF_COUNT_SW_CONTEXT_SWITCHES, 1000},
	"cpu-migrations":   {unix.PERF_COUNT_SW_CPU_MIGRATIONS, 1},
	"minor-faults":     {unix.PERF_COUNT_SW_PAGE_FAULTS_MIN, 100},
	"major-faults":     {unix.PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1},
	"alignment-faults": {unix.PERF_COUNT_SW_ALIGNMENT_FAULTS, 1},
	"emulation-faults": {unix.PERF_COUNT_SW_EMULATION_FAULTS, 1},
	"dummy":            {unix.PERF_COUNT_SW_DUMMY, 1},
	"bpf-output":       {unix.PERF_COUNT_SW_BPF_OUTPUT, 1},
}

// AttachInterval attaches a PerfEvent program to a timer that fires every
// periodNs nanoseconds: one cpu-clock software event on the first online
// CPU, so the program runs once per period, not once per CPU.
func AttachInterval(prog *ebpf.Program, periodNs uint64) (io.Closer, error) {
	if periodNs == 0 {
		return nil, errors.New("interval: period must be positive")
	}
	cpus, err := OnlineCPUs()
	if err != nil {
		return nil, err
	}
	attr := softwareAttr(unix.PERF_COUNT_SW_CPU_CLOCK, periodNs)
	return attachPerfEvent(prog, attr, cpus[:1])
}

// AttachProfile attaches a PerfEvent program to a cpu-clock sampling timer
// on every online CPU, firing hz times a second when hz is set, else every
// periodNs nanoseconds.
func AttachProfile(prog *ebpf.Program, hz, periodNs uint64) (io.Closer, error) {
	if (hz == 0) == (periodNs == 0) {
		return nil, errors.New("profile: want exactly one of a frequency and a period")
	}
	cpus, err := OnlineCPUs()
	if err != nil {
		return nil, err
	}
	attr := softwareAttr(unix.PERF_COUNT_SW_CPU_CLOCK, periodNs)
	if hz != 0 {
		attr.Sample = hz
		attr.Bits |= unix.PerfBitFreq
	}
	return attachPerfEvent(prog, attr, cpus)
}

// AttachSoftware attaches a PerfEvent program to the software event named
// event (see perf_event_open(2): "page-faults", "cs", ...) on every online
// CPU, firing once every count events; count 0 takes bpftrace's default for
// that event.
func AttachSoftware(prog *ebpf.Program, event string, count uint64) (io.Closer, error) {
	kind, ok := softwareEvents[event]
	if !ok {
		return nil, fmt.Errorf("unknown software event %q", event)
	}
	if count == 0 {
		count = kind.defaultPeriod
	}
	cpus, err := OnlineCPUs()
	if err != nil {
		return nil, err
	}
	return attachPerfEvent(prog, softwareAttr(kind.config, count), cpus)
}

func softwareAttr(config, period uint64) *unix.PerfEventAttr {
	return &unix.PerfEventAttr{
		Type:   unix.PERF_TYPE_SOFTWARE,
		Config: config,
		Sample: period,
	}
}

// attachPerfEvent opens the perf event attr on each CPU (for all processes)
// and links prog to each. The bpf link holds its perf event, so the event
// descriptors are closed as soon as the links exist.
func attachPerfEvent(prog *ebpf.Program, attr *unix.PerfEventAttr, cpus []int) (io.Closer, error) {
	attr.Size = uint32(unsafe.Sizeof(*attr))
	var links closers
	for _, cpu := range cpus {
		fd, err := unix.PerfEventOpen(attr, -1, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
		if err != nil {
			links.Close()
			return nil, &perfOpenError{cpu: cpu, err: err}
		}
		l, err := link.AttachRawLink(link.RawLinkOptions{Target: fd, Program: prog, Attach: ebpf.AttachPerfEvent})
		unix.Close(fd)
		if err != nil {
			links.Close()
			return nil, fmt.Errorf("linking program to perf event on CPU %d: %w", cpu, err)
		}
		links = append(links, l)
	}
	return links, nil
}

// perfOpenError is a failed perf_event_open.
type perfOpenError struct {
	cpu int
	err error
}

func (e *perfOpenError) Error() string {
	msg := fmt.Sprintf("perf_event_open on CPU %d: %v", e.cpu, e.err)
	if errors.Is(e.err, unix.EACCES) || errors.Is(e.err, unix.EPERM) {
		msg += " (needs root or a lower /proc/sys/kernel/perf_event_paranoid)"
	}
	return msg
}

func (e *perfOpenError) Unwrap() error { return e.err }

// OnlineCPUs returns the ids of the online CPUs, from
// /sys/devices/system/cpu/online. It is read once per process.
var OnlineCPUs = sync.OnceValues(func() ([]int, error) {
	data, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return nil, err
	}
	return parseCPUList(strings.TrimSpace(string(data)))
})

// parseCPUList parses the kernel's CPU list format: "0-3,5,7-8".
func parseCPUList(s string) ([]int, error) {
	var cpus []int
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		first, err := strconv.Atoi(lo)
		if err != nil || first < 0 {
			return nil, fmt.Errorf("bad CPU list %q", s)
		}
		last := first
		if isRange {
			if last, err = strconv.Atoi(hi); err != nil || last < first {
				return nil, fmt.Errorf("bad CPU list %q", s)
			}
		}
		for c := first; c <= last; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}
