package runtime

import (
	"errors"
	"fmt"
	"os"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"
)

func getppidLoop(n int) {
	for range n {
		unix.Getppid()
	}
}

func TestAttachTracepoint(t *testing.T) {
	liveTracefs(t)
	prog, counts := counterProgram(t, ebpf.TracePoint, os.Getpid(), false)
	l, err := Attach(prog, AttachPoint{Kind: KindTracepoint, Target: "syscalls:sys_enter_getppid"})
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, l)
	getppidLoop(1000)
	if got := readCount(t, counts, 0); got != 1000 {
		t.Errorf("tracepoint fired %d times for 1000 getppid calls", got)
	}
}

// TestTracepointDetach checks what Close promises: the program has stopped
// when Close returns, the perf event's descriptor is closed, and the
// kernel frees the perf events later (releaseLater), none being leaked.
func TestTracepointDetach(t *testing.T) {
	liveTracefs(t)
	prog, counts := counterProgram(t, ebpf.TracePoint, os.Getpid(), false)
	before, haveSlab := perfEventObjects(t)
	const rounds = 64
	for i := range rounds {
		l, err := Attach(prog, AttachPoint{Kind: KindTracepoint, Target: "syscalls:sys_enter_getppid"})
		if err != nil {
			t.Fatal(err)
		}
		fd := l.(*tracepointLink).fd
		getppidLoop(10)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		getppidLoop(10)
		if got, want := readCount(t, counts, 0), uint64(10*(i+1)); got != want {
			t.Fatalf("round %d: count %d after detaching, want %d: the program ran after Close", i, got, want)
		}
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); !errors.Is(err, unix.EBADF) {
			t.Fatalf("round %d: perf event fd %d still open after Close (err %v)", i, fd, err)
		}
	}
	if !haveSlab {
		t.Skip("no perf_event slab in /proc/slabinfo: cannot count perf events")
	}
	// The kernel's workers free the events some milliseconds later.
	deadline := time.Now().Add(5 * time.Second)
	for {
		now, _ := perfEventObjects(t)
		if now < before+rounds/2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d perf events allocated before %d attach/detach rounds, %d five seconds after: leaked", before, rounds, now)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// perfEventObjects returns the active objects of the kernel's perf_event
// slab cache, and whether the cache is listed.
func perfEventObjects(t *testing.T) (int, bool) {
	data, err := os.ReadFile("/proc/slabinfo")
	if err != nil {
		return 0, false
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && f[0] == "perf_event" {
			var n int
			if _, err := fmt.Sscan(f[1], &n); err != nil {
				t.Fatalf("slabinfo line %q: %v", line, err)
			}
			return n, true
		}
	}
	return 0, false
}

func TestAttachTracepointErrors(t *testing.T) {
	liveTracefs(t)
	prog, _ := counterProgram(t, ebpf.TracePoint, 0, false)
	for _, target := range []string{"syscalls:nope", "syscalls:*", "nogroup"} {
		if _, err := Attach(prog, AttachPoint{Kind: KindTracepoint, Target: target}); err == nil || !strings.Contains(err.Error(), "tracepoint:"+target) {
			t.Errorf("Attach(tracepoint:%s) error = %v, want one naming the probe", target, err)
		}
	}
}

func TestAttachRawTracepoint(t *testing.T) {
	requireKernel(t)
	prog, counts := counterProgram(t, ebpf.RawTracepoint, os.Getpid(), false)
	l, err := Attach(prog, AttachPoint{Kind: KindRawTracepoint, Target: "sys_enter"})
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, l)
	getppidLoop(1000)
	if got := readCount(t, counts, 0); got < 1000 {
		t.Errorf("raw tracepoint sys_enter fired %d times for 1000 getppid calls", got)
	}
}

func TestAttachInterval(t *testing.T) {
	requireKernel(t)
	prog, counts := counterProgram(t, ebpf.PerfEvent, 0, false)
	const period = 10 * time.Millisecond
	start := time.Now()
	l, err := Attach(prog, AttachPoint{Kind: KindInterval, Period: uint64(period)})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * period)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// One event per period on one CPU, not one per CPU.
	got := readCount(t, counts, 0)
	checkRate(t, "interval", got, time.Since(start), period)
	time.Sleep(3 * period)
	if after := readCount(t, counts, 0); after != got {
		t.Errorf("interval fired %d more times after Close", after-got)
	}
}

// checkRate checks that an event with the given period fired about as often
// as it should have in elapsed: at least a third (a loaded machine delays
// timers), and never more than once per period.
func checkRate(t *testing.T, what string, got uint64, elapsed, period time.Duration) {
	t.Helper()
	want := uint64(elapsed / period)
	if got < want/3 || got > want+2 {
		t.Errorf("%s fired %d times in %v, want about %d", what, got, elapsed, want)
	}
}

func TestAttachProfile(t *testing.T) {
	requireKernel(t)
	cpus, err := OnlineCPUs()
	if err != nil {
		t.Fatal(err)
	}
	for _, ap := range []AttachPoint{
		{Kind: KindProfile, Frequency: 200},
		{Kind: KindProfile, Period: uint64(5 * time.Millisecond)},
	} {
		t.Run(ap.String(), func(t *testing.T) {
			prog, counts := counterProgram(t, ebpf.PerfEvent, 0, true)
			start := time.Now()
			l, err := Attach(prog, ap)
			if err != nil {
				t.Fatal(err)
			}
			// cpu-clock samples an idle virtual CPU only now and then,
			// so keep every CPU busy.
			busyCPUs(t, cpus, 300*time.Millisecond)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			period := 5 * time.Millisecond
			for _, cpu := range cpus {
				checkRate(t, fmt.Sprintf("%s on CPU %d", ap, cpu), readCount(t, counts, uint32(cpu)), elapsed, period)
			}
		})
	}
}

// busyCPUs spins one thread on each of cpus for d.
func busyCPUs(t *testing.T, cpus []int, d time.Duration) {
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for _, cpu := range cpus {
		wg.Go(func() {
			goruntime.LockOSThread()
			defer goruntime.UnlockOSThread()
			var set unix.CPUSet
			set.Set(cpu)
			if err := unix.SchedSetaffinity(0, &set); err != nil {
				t.Error(err)
				return
			}
			for time.Now().Before(deadline) {
			}
		})
	}
	wg.Wait()
}

func TestAttachSoftwarePageFaults(t *testing.T) {
	requireKernel(t)
	prog, counts := counterProgram(t, ebpf.PerfEvent, os.Getpid(), false)
	l, err := Attach(prog, AttachPoint{Kind: KindSoftware, Target: "faults", Period: 1})
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, l)
	const pages = 64
	size := pages * os.Getpagesize()
	mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < size; i += os.Getpagesize() {
		mem[i] = 1
	}
	if err := unix.Munmap(mem); err != nil {
		t.Fatal(err)
	}
	if got := readCount(t, counts, 0); got < pages {
		t.Errorf("software:faults:1 fired %d times for %d new pages", got, pages)
	}
}

func TestAttachSoftwareEvents(t *testing.T) {
	requireKernel(t)
	prog, _ := counterProgram(t, ebpf.PerfEvent, 0, false)
	for name := range softwareEvents {
		l, err := Attach(prog, AttachPoint{Kind: KindSoftware, Target: name})
		if err != nil {
			t.Errorf("software:%s: %v", name, err)
			continue
		}
		if err := l.Close(); err != nil {
			t.Errorf("software:%s: close: %v", name, err)
		}
	}
	if _, err := Attach(prog, AttachPoint{Kind: KindSoftware, Target: "nope"}); err == nil || !strings.Contains(err.Error(), `unknown software event "nope"`) {
		t.Errorf("software:nope: error = %v", err)
	}
}

func TestRunOnceSeesOwnPid(t *testing.T) {
	requireKernel(t)
	out := newMap(t, &ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	prog := newProgram(t, ebpf.RawTracepoint, asm.Instructions{
		asm.FnGetCurrentPidTgid.Call(),
		asm.RSh.Imm(asm.R0, 32),
		asm.StoreMem(asm.RFP, -8, asm.R0, asm.DWord),
		asm.StoreImm(asm.RFP, -12, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, out.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -12),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, -8),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnMapUpdateElem.Call(),
		asm.Mov.Imm(asm.R0, 7),
		asm.Return(),
	})
	ret, err := RunOnce(prog)
	if err != nil {
		t.Fatal(err)
	}
	if ret != 7 {
		t.Errorf("RunOnce returned %d, want 7", ret)
	}
	if got := readCount(t, out, 0); got != uint64(os.Getpid()) {
		t.Errorf("BEGIN program saw pid %d, want %d", got, os.Getpid())
	}
}

// TestAttachMissing checks that the probe kinds this kernel lacks fail with
// a MissingFeatureError naming the feature and an alternative; kinds the
// kernel has are skipped, since attaching them needs real targets.
func TestAttachMissing(t *testing.T) {
	requireKernel(t)
	liveTracefs(t)
	f := ProbeFeatures()
	tests := []struct {
		ap      AttachPoint
		have    error
		feature string
		alt     string
	}{
		{AttachPoint{Kind: KindKprobe, Target: "do_sys_openat2"}, f.Kprobes, "kprobes", "tracepoint:syscalls:sys_enter_openat"},
		{AttachPoint{Kind: KindKretprobe, Target: "ksys_read"}, f.Kprobes, "kprobes", "tracepoint:syscalls:sys_exit_read"},
		{AttachPoint{Kind: KindFentry, Target: "__x64_sys_getppid"}, f.Fentry, "fentry/fexit", "tracepoint:syscalls:sys_enter_getppid"},
		{AttachPoint{Kind: KindHardware, Target: "cycles"}, f.HardwarePerf, "hardware performance counters", "profile:hz:99"},
	}
	prog, _ := counterProgram(t, ebpf.Kprobe, 0, false)
	for _, tt := range tests {
		if tt.have == nil {
			t.Logf("%s: the kernel has %s", tt.ap, tt.feature)
			continue
		}
		_, err := Attach(prog, tt.ap)
		var missing *MissingFeatureError
		if !errors.As(err, &missing) || !errors.Is(err, ebpf.ErrNotSupported) {
			t.Errorf("%s: error = %v, want a MissingFeatureError", tt.ap, err)
			continue
		}
		msg := err.Error()
		want := tt.ap.String() + ": this kernel has no " + tt.feature + " ("
		if !strings.HasPrefix(msg, want) || !strings.Contains(msg, "; try "+tt.alt) {
			t.Errorf("%s: error %q, want %q... try %s", tt.ap, msg, want, tt.alt)
		}
	}
}

// An fentry program that the kernel refuses to load fails at Load with the
// same MissingFeatureError as an attach would.
func TestLoadFentryMissing(t *testing.T) {
	requireKernel(t)
	if ProbeFeatures().Fentry == nil {
		t.Skip("the kernel has fentry")
	}
	for _, src := range []string{`fentry:vfs_read { @ = count(); }`, `fexit:vfs_read { @ = count(); }`} {
		obj := compileLive(t, src)
		l, err := Load(obj)
		if err == nil {
			l.Close()
			t.Errorf("%s: loaded", src)
			continue
		}
		var missing *MissingFeatureError
		if !errors.As(err, &missing) || missing.Feature != "fentry/fexit" || !strings.HasPrefix(err.Error(), obj.Programs[0].Probe+": this kernel has no fentry/fexit") {
			t.Errorf("%s: error = %v, want a MissingFeatureError for fentry/fexit", src, err)
		}
	}
}

func TestAttachUnsupported(t *testing.T) {
	for _, ap := range []AttachPoint{
		{Kind: KindWatchpoint, Target: "0x1000"},
		{Kind: KindBegin},
		{Kind: "nonsense"},
	} {
		if _, err := Attach(nil, ap); err == nil {
			t.Errorf("Attach(%s): no error", ap)
		}
	}
}

func TestAttachPointString(t *testing.T) {
	tests := []struct {
		ap   AttachPoint
		want string
	}{
		{AttachPoint{Kind: KindTracepoint, Target: "sched:sched_switch"}, "tracepoint:sched:sched_switch"},
		{AttachPoint{Kind: KindRawTracepoint, Target: "sys_enter"}, "rawtracepoint:sys_enter"},
		{AttachPoint{Kind: KindInterval, Period: 1e9}, "interval:s:1"},
		{AttachPoint{Kind: KindInterval, Period: 1500e6}, "interval:ms:1500"},
		{AttachPoint{Kind: KindInterval, Period: 250e3}, "interval:us:250"},
		{AttachPoint{Kind: KindInterval, Period: 1001}, "interval:ns:1001"},
		{AttachPoint{Kind: KindProfile, Frequency: 99}, "profile:hz:99"},
		{AttachPoint{Kind: KindProfile, Period: 5e6}, "profile:ms:5"},
		{AttachPoint{Kind: KindSoftware, Target: "faults"}, "software:faults"},
		{AttachPoint{Kind: KindSoftware, Target: "faults", Period: 10}, "software:faults:10"},
		{AttachPoint{Kind: KindUprobe, Target: "/bin/sh", Symbol: "main"}, "uprobe:/bin/sh:main"},
		{AttachPoint{Kind: KindUretprobe, Target: "/bin/sh", Symbol: "main", Offset: 4}, "uretprobe:/bin/sh:main+4"},
		{AttachPoint{Kind: KindUprobe, Target: "/bin/sh", Offset: 0x1234}, "uprobe:/bin/sh:0x1234"},
		{AttachPoint{Kind: KindKprobe, Target: "vfs_read", Offset: 8}, "kprobe:vfs_read+8"},
		{AttachPoint{Kind: KindFentry, Target: "vfs_read"}, "fentry:vfs_read"},
		{AttachPoint{Kind: KindHardware, Target: "cycles", Period: 1000}, "hardware:cycles:1000"},
		{AttachPoint{Kind: KindEnd}, "end"},
	}
	for _, tt := range tests {
		if got := tt.ap.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.ap, got, tt.want)
		}
	}
}

func TestParseCPUList(t *testing.T) {
	tests := []struct {
		in   string
		want []int
		err  bool
	}{
		{"0", []int{0}, false},
		{"0-1", []int{0, 1}, false},
		{"0-2,4,6-7", []int{0, 1, 2, 4, 6, 7}, false},
		{"", nil, true},
		{"3-1", nil, true},
		{"a", nil, true},
		{"0-", nil, true},
	}
	for _, tt := range tests {
		got, err := parseCPUList(tt.in)
		if (err != nil) != tt.err || !slices.Equal(got, tt.want) {
			t.Errorf("parseCPUList(%q) = %v, %v", tt.in, got, err)
		}
	}
}
