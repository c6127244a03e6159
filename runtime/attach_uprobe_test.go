package runtime

import (
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/runtime/usdttest"
)

// uprobeTarget is the function TestAttachUprobe probes in the test binary.
//
//go:noinline
func uprobeTarget(i int) int { return i * 3 }

// TestAttachUprobe probes a function of the test binary by its virtual
// address (go test strips the symbol table, so the test finds its own
// function by address).
func TestAttachUprobe(t *testing.T) {
	requireKernel(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	addr := uint64(reflect.ValueOf(uprobeTarget).Pointer())
	prog, counts := counterProgram(t, ebpf.Kprobe, 0, false)
	l, err := Attach(prog, AttachPoint{Kind: KindUprobe, Target: exe, Offset: addr, Pid: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, l)
	for i := range 100 {
		uprobeTarget(i)
	}
	if got := readCount(t, counts, 0); got != 100 {
		t.Errorf("uprobe fired %d times for 100 calls", got)
	}
}

// TestAttachUprobeSymbol probes libc's __libc_start_main, which every
// dynamically linked program calls once, and its return, which it never
// reaches (main's return goes to exit).
func TestAttachUprobeSymbol(t *testing.T) {
	requireKernel(t)
	libc, err := ResolveBinary("libc")
	if err != nil {
		t.Skip(err)
	}
	enter, enterCounts := counterProgram(t, ebpf.Kprobe, 0, false)
	ret, retCounts := counterProgram(t, ebpf.Kprobe, 0, false)
	for _, ap := range []struct {
		prog *ebpf.Program
		kind ProbeKind
	}{{enter, KindUprobe}, {ret, KindUretprobe}} {
		l, err := Attach(ap.prog, AttachPoint{Kind: ap.kind, Target: "libc", Symbol: "__libc_start_main"})
		if err != nil {
			t.Fatal(err)
		}
		closeOnCleanup(t, l)
	}
	for range 5 {
		if err := exec.Command("/bin/true").Run(); err != nil {
			t.Fatal(err)
		}
	}
	if got := readCount(t, enterCounts, 0); got < 5 {
		t.Errorf("uprobe:libc:__libc_start_main fired %d times for 5 processes", got)
	}
	if got := readCount(t, retCounts, 0); got != 0 {
		t.Errorf("uretprobe:libc:__libc_start_main fired %d times; it never returns", got)
	}
	if _, err := Attach(enter, AttachPoint{Kind: KindUprobe, Target: libc, Symbol: "no_such_function_gbt"}); err == nil {
		t.Error("uprobe on a missing symbol: no error")
	}
}

// TestAttachUprobeCounts probes the functions of the USDT test program in
// every way a script can name them, and checks exact counts for a run of
// the program.
func TestAttachUprobeCounts(t *testing.T) {
	requireKernel(t)
	exe := usdttest.Build(t)
	syms, err := OpenELFSymbols(exe)
	if err != nil {
		t.Fatal(err)
	}
	add, _ := syms.Lookup("gbt_add")
	regs, _ := syms.Lookup("gbt_regs")
	// gbt:regs's nop is an instruction inside gbt_regs.
	probes, err := ReadUSDTProbes(exe)
	if err != nil {
		t.Fatal(err)
	}
	nop := MatchUSDT(probes, "gbt:regs")[0].PC
	const n = 37
	tests := []struct {
		ap   AttachPoint
		want uint64
	}{
		{AttachPoint{Kind: KindUprobe, Target: exe, Symbol: "gbt_add"}, n},
		{AttachPoint{Kind: KindUretprobe, Target: exe, Symbol: "gbt_add"}, n},
		{AttachPoint{Kind: KindUprobe, Target: exe, Symbol: "_ZN3gbt3cxxEi"}, n},
		{AttachPoint{Kind: KindUprobe, Target: exe, Symbol: "gbt_loop"}, 1},
		{AttachPoint{Kind: KindUprobe, Target: exe, Symbol: "gbt_regs", Offset: nop - regs.Addr}, n},
		{AttachPoint{Kind: KindUprobe, Target: exe, Offset: add.Addr}, n},
		{AttachPoint{Kind: KindUprobe, Target: exe, Symbol: fmt.Sprintf("%#x", add.Addr)}, n},
	}
	counts := make([]*ebpf.Map, len(tests))
	for i, tt := range tests {
		var prog *ebpf.Program
		prog, counts[i] = counterProgram(t, ebpf.Kprobe, 0, false)
		l, err := Attach(prog, tt.ap)
		if err != nil {
			t.Fatal(err)
		}
		closeOnCleanup(t, l)
	}
	usdttest.Loop(t, exe, n)
	for i, tt := range tests {
		if got := readCount(t, counts[i], 0); got != tt.want {
			t.Errorf("%s fired %d times, want %d", tt.ap, got, tt.want)
		}
	}

	prog, _ := counterProgram(t, ebpf.Kprobe, 0, false)
	for _, ap := range []AttachPoint{
		{Kind: KindUprobe, Target: exe, Symbol: "gbt_nope"},
		{Kind: KindUprobe, Target: exe, Symbol: "gbt_add", Offset: add.Size},
		{Kind: KindUprobe, Target: "/no/such/binary", Symbol: "main"},
	} {
		if l, err := Attach(prog, ap); err == nil {
			l.Close()
			t.Errorf("%s: no error", ap)
		}
	}
}

func TestExpandUprobe(t *testing.T) {
	exe := usdttest.Build(t)
	aps, err := ExpandUprobe(AttachPoint{Kind: KindUretprobe, Target: exe, Symbol: "gbt_*", Pid: 7})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ap := range aps {
		if ap.Pid != 7 || ap.Kind != KindUretprobe {
			t.Errorf("expanded %s lost its kind or pid", ap)
		}
		got = append(got, ap.String())
	}
	want := []string{
		"uretprobe:" + exe + ":gbt_add", "uretprobe:" + exe + ":gbt_loop",
		"uretprobe:" + exe + ":gbt_regs", "uretprobe:" + exe + ":gbt_sem_round",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ExpandUprobe(gbt_*) (-want +got):\n%s", diff)
	}
	one := AttachPoint{Kind: KindUprobe, Target: "bash", Symbol: "readline"}
	if aps, err := ExpandUprobe(one); err != nil || len(aps) != 1 || aps[0] != one {
		t.Errorf("ExpandUprobe(%s) = %v, %v; want it unchanged", one, aps, err)
	}
	if _, err := ExpandUprobe(AttachPoint{Kind: KindUprobe, Target: exe, Symbol: "nomatch*"}); err == nil || !strings.Contains(err.Error(), "no function") {
		t.Errorf("ExpandUprobe(nomatch*) error = %v", err)
	}
}

func TestResolveBinary(t *testing.T) {
	libc := "/lib/x86_64-linux-gnu/libc.so.6"
	if !isELF(libc) {
		t.Skipf("no %s", libc)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh in $PATH")
	}
	tests := []struct{ name, want string }{
		{"libc", libc},
		{"c", libc},
		{"libc.so.6", libc},
		{"sh", sh},
		{libc, libc},
	}
	for _, tt := range tests {
		if got, err := ResolveBinary(tt.name); err != nil || got != tt.want {
			t.Errorf("ResolveBinary(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	for _, name := range []string{"/no/such/file", "gbt_no_such_library"} {
		if got, err := ResolveBinary(name); err == nil {
			t.Errorf("ResolveBinary(%q) = %q, want an error", name, got)
		}
	}
	if lib := loaderLibrary("libc", "libc"); lib != libc {
		t.Errorf("libc from /etc/ld.so.cache = %q, want %s", lib, libc)
	}
}

// TestResolveBinaryInProcess finds libc through the memory map of a
// running process, as gbt -p does.
func TestResolveBinaryInProcess(t *testing.T) {
	pid := usdttest.Wait(t, usdttest.Build(t)).Pid
	maps, err := ReadProcMaps(pid)
	if err != nil {
		t.Fatal(err)
	}
	var mapped string
	for _, m := range maps {
		if strings.Contains(m.Path, "/libc.so") {
			mapped = m.Path
		}
	}
	if mapped == "" {
		t.Fatalf("the test program has not mapped libc: %v", maps)
	}
	for _, name := range []string{"libc", "c", "libc.so.6"} {
		if got, err := ResolveBinaryIn(name, pid); err != nil || got != mapped {
			t.Errorf("ResolveBinaryIn(%q, %d) = %q, %v; want %s", name, pid, got, err, mapped)
		}
	}
	if _, err := ResolveBinaryIn("libc", 1<<30); err == nil {
		t.Error("ResolveBinaryIn for a missing process: no error")
	}
}
