package runtime

import (
	"encoding/binary"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/runtime/usdttest"
)

func TestParseProcMaps(t *testing.T) {
	const text = "7f00c0000000-7f00c0028000 r--p 00000000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6\n" +
		"55d0c4a00000-55d0c4a2e000 r-xp 0002e000 fe:01 1837                       /usr/bin/my prog\n" +
		"7ffd1c1f0000-7ffd1c212000 rw-p 00000000 00:00 0                          [stack]\n" +
		"7f00c0100000-7f00c0101000 rw-p 00000000 00:00 0 \n"
	maps, err := ParseProcMaps([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []ProcMapping{
		{Start: 0x55d0c4a00000, End: 0x55d0c4a2e000, Perms: "r-xp", Offset: 0x2e000, Inode: 1837, Path: "/usr/bin/my prog"},
		{Start: 0x7f00c0000000, End: 0x7f00c0028000, Perms: "r--p", Inode: 1234, Path: "/usr/lib/x86_64-linux-gnu/libc.so.6"},
		{Start: 0x7f00c0100000, End: 0x7f00c0101000, Perms: "rw-p"},
		{Start: 0x7ffd1c1f0000, End: 0x7ffd1c212000, Perms: "rw-p", Path: "[stack]"},
	}
	if diff := cmp.Diff(want, maps); diff != "" {
		t.Errorf("ParseProcMaps (-want +got):\n%s", diff)
	}
	if !maps[0].Exec() || maps[1].Exec() {
		t.Error("Exec() is wrong")
	}
	for addr, want := range map[uint64]string{0x55d0c4a00010: "/usr/bin/my prog", 0x7ffd1c211fff: "[stack]", 0x55d0c4a2e000: "", 0: ""} {
		m, ok := findMapping(maps, addr)
		if ok != (want != "") || m.Path != want {
			t.Errorf("findMapping(%#x) = %q, %v; want %q", addr, m.Path, ok, want)
		}
	}
	for _, bad := range []string{"zz-10 r--p 0 0:0 0\n", "10-20 r--p 0 0:0\n", "20-10 r--p 0 0:0 0\n", "10-20 rp 0 0:0 0\n"} {
		if _, err := ParseProcMaps([]byte(bad)); err == nil {
			t.Errorf("ParseProcMaps(%q): no error", bad)
		}
	}
	if _, err := ReadProcMaps(1 << 30); !os.IsNotExist(err) {
		t.Errorf("ReadProcMaps of a missing process: %v, want a not-exist error", err)
	}
}

// TestSymbolizerUser resolves the functions of a running test program by
// the addresses it prints, through its memory map.
func TestSymbolizerUser(t *testing.T) {
	exe := usdttest.Build(t)
	p := usdttest.Wait(t, exe)
	s := NewSymbolizer()
	add, cxx := p.Addrs["gbt_add"], p.Addrs["gbt_cxx"]
	for addr, want := range map[uint64]string{add: "gbt_add", add + 2: "gbt_add", cxx + 1: "gbt::cxx(int)", 0: "0", 0x10: "0x10"} {
		if got := s.Usym(p.Pid, addr); got != want {
			t.Errorf("usym(%#x) = %q, want %q", addr, got, want)
		}
	}
	st := s.UserStack(p.Pid, []uint64{add + 3, cxx, 0x10}, StackPerf)
	want := &Stack{Mode: StackPerf, User: true, Frames: []Frame{
		{Addr: add + 3, Sym: "gbt_add+3", Module: exe},
		{Addr: cxx, Sym: "gbt::cxx(int)+0", Module: exe},
		{Addr: 0x10},
	}}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("UserStack (-want +got):\n%s", diff)
	}
	if raw := s.UserStack(p.Pid, []uint64{add}, StackRaw); raw.Frames[0].Sym != "" {
		t.Errorf("raw UserStack frame = %+v, want the bare address", raw.Frames[0])
	}
	for name, want := range map[string]uint64{"gbt_add": add, "_ZN3gbt3cxxEi": cxx} {
		if got, err := s.Uaddr(exe, name, p.Pid); err != nil || got != want {
			t.Errorf("uaddr(%s) in process = %#x, %v; want %#x", name, got, err, want)
		}
	}
	syms, _ := OpenELFSymbols(exe)
	if got, err := s.Uaddr(exe, "gbt_add", 0); err != nil || got == add || got != mustLookup(t, syms, "gbt_add") {
		t.Errorf("uaddr(gbt_add) in the file = %#x, %v", got, err)
	}
	if _, err := s.Uaddr(exe, "nope", p.Pid); err == nil {
		t.Error("uaddr(nope): no error")
	}
}

func mustLookup(t *testing.T, syms *ELFSymbols, name string) uint64 {
	t.Helper()
	sym, ok := syms.Lookup(name)
	if !ok {
		t.Fatalf("no %s in %s", name, syms.Path)
	}
	return sym.Addr
}

// stackProgram loads a program that stores the stack of its last run
// (bpf_get_stack with flags) in a one-entry array map.
func stackProgram(t *testing.T, typ ebpf.ProgramType, flags int32) (*ebpf.Program, *ebpf.Map) {
	const depth = 16
	m := newMap(t, &ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8 * depth, MaxEntries: 1})
	prog := newProgram(t, typ, asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1),
		asm.StoreImm(asm.RFP, -4, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, m.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.Mov.Reg(asm.R1, asm.R6),
		asm.Mov.Reg(asm.R2, asm.R0),
		asm.Mov.Imm(asm.R3, 8*depth),
		asm.Mov.Imm(asm.R4, flags),
		asm.FnGetStack.Call(),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return(),
	})
	return prog, m
}

// readStack returns the non-zero addresses of a stackProgram's map.
func readStack(t *testing.T, m *ebpf.Map) []uint64 {
	var buf []byte
	if err := m.Lookup(uint32(0), &buf); err != nil {
		t.Fatal(err)
	}
	var addrs []uint64
	for i := 0; i+8 <= len(buf); i += 8 {
		if a := binary.NativeEndian.Uint64(buf[i:]); a != 0 {
			addrs = append(addrs, a)
		}
	}
	return addrs
}

func frameSyms(st *Stack) []string {
	var syms []string
	for _, f := range st.Frames {
		syms = append(syms, f.Sym)
	}
	return syms
}

// TestSymbolizeLiveStacks takes a real user stack at a uprobe and a real kernel stack at
// a tracepoint and checks that they symbolize to the expected functions.
func TestSymbolizeLiveStacks(t *testing.T) {
	requireKernel(t)
	exe := usdttest.Build(t)
	p := usdttest.Wait(t, exe)
	const userStack = 1 << 8 // BPF_F_USER_STACK
	uprog, ustack := stackProgram(t, ebpf.Kprobe, userStack)
	l, err := Attach(uprog, AttachPoint{Kind: KindUprobe, Target: exe, Symbol: "_ZN3gbt3cxxEi", Pid: p.Pid})
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, l)
	p.Round(t)
	s := NewSymbolizer()
	st := s.UserStack(p.Pid, readStack(t, ustack), StackBpftrace)
	syms := frameSyms(st)
	// At a function's entry its caller has no frame yet: the frame
	// pointer chain goes from gbt::cxx straight to gbt_loop's caller.
	if len(syms) < 2 || syms[0] != "gbt::cxx(int)+0" || !slices.ContainsFunc(syms, func(s string) bool { return strings.HasPrefix(s, "main+") }) {
		t.Errorf("user stack at gbt::cxx = %q, want gbt::cxx(int)+0 first and main below", syms)
	}

	liveTracefs(t)
	kprog, kstack := stackProgram(t, ebpf.TracePoint, 0)
	kl, err := Attach(kprog, AttachPoint{Kind: KindTracepoint, Target: "syscalls:sys_enter_getppid"})
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, kl)
	getppidLoop(1)
	ksyms := frameSyms(s.KernelStack(readStack(t, kstack), StackBpftrace))
	if !slices.ContainsFunc(ksyms, func(s string) bool { return strings.HasPrefix(s, "do_syscall_64+") }) {
		t.Errorf("kernel stack at sys_enter_getppid = %q, want do_syscall_64 in it", ksyms)
	}
}
