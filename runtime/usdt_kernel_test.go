package runtime

import (
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/runtime/usdttest"
)

// usdtArgProgram loads a program that adds USDT argument a of probe
// location p to a one-entry array map on every hit, reading it exactly as
// USDTArg's documentation tells code generation to.
func usdtArgProgram(t *testing.T, p USDTProbe, a USDTArg) (*ebpf.Program, *ebpf.Map) {
	t.Helper()
	sums := newMap(t, &ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	insns := asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1),
		asm.Mov.Imm(asm.R7, 0),
		asm.StoreMem(asm.RFP, -16, asm.R7, asm.DWord),
	}
	readUser := asm.Instructions{
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, -16),
		asm.Mov.Imm(asm.R2, int32(a.Size)),
		asm.FnProbeReadUser.Call(),
		asm.LoadMem(asm.R7, asm.RFP, -16, asm.DWord),
	}
	switch a.Kind {
	case USDTArgConst:
		insns = append(insns, asm.LoadImm(asm.R7, a.Value, asm.DWord))
	case USDTArgReg:
		insns = append(insns, asm.LoadMem(asm.R7, asm.R6, int16(a.Reg.Offset), asm.DWord))
		if a.Reg.Shift != 0 {
			insns = append(insns, asm.RSh.Imm(asm.R7, int32(a.Reg.Shift)))
		}
	case USDTArgMem:
		insns = append(insns,
			asm.LoadMem(asm.R3, asm.R6, int16(a.Reg.Offset), asm.DWord),
			asm.Add.Imm(asm.R3, int32(a.Offset)),
		)
		if a.Index.Name != "" {
			insns = append(insns,
				asm.LoadMem(asm.R4, asm.R6, int16(a.Index.Offset), asm.DWord),
				asm.Mul.Imm(asm.R4, int32(a.Scale)),
				asm.Add.Reg(asm.R3, asm.R4),
			)
		}
		insns = append(insns, readUser...)
	case USDTArgGlobal:
		insns = append(insns,
			asm.LoadMem(asm.R3, asm.R6, int16(a.Reg.Offset), asm.DWord),
			asm.LoadImm(asm.R4, int64(a.Addr-p.PC), asm.DWord),
			asm.Add.Reg(asm.R3, asm.R4),
		)
		insns = append(insns, readUser...)
	}
	if a.Size < 8 {
		shift := int32(64 - 8*a.Size)
		insns = append(insns, asm.LSh.Imm(asm.R7, shift))
		if a.Signed {
			insns = append(insns, asm.ArSh.Imm(asm.R7, shift))
		} else {
			insns = append(insns, asm.RSh.Imm(asm.R7, shift))
		}
	}
	insns = append(insns,
		asm.StoreImm(asm.RFP, -4, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, sums.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.StoreXAdd(asm.R0, asm.R7, asm.DWord),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return(),
	)
	return newProgram(t, ebpf.Kprobe, insns), sums
}

// TestUSDTArgs attaches to every probe of the test program one program per
// argument that sums it, runs the program's loop, and checks each sum
// against the values the source passes: this tests the parsed locations
// and the lowering USDTArg documents, for every location kind.
func TestUSDTArgs(t *testing.T) {
	requireKernel(t)
	exe := usdttest.Build(t)
	probes, err := ReadUSDTProbes(exe)
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	const s = n * (n - 1) / 2 // the sum of the round numbers 0..n-1
	want := map[string][]int64{
		"gbt:regs":    {s, -1000 * s, s},
		"gbt:consts":  {5 * n, -7 * n},
		"gbt:global":  {100*n + s},
		"gbt:stack":   {3 * s, -s},
		"gbt:counted": {s},
	}
	type sum struct {
		probe, spec string
		i           int
		m           *ebpf.Map
	}
	var sums []sum
	for _, p := range probes {
		if len(p.Args) != len(want[p.String()]) {
			t.Fatalf("%s has %d arguments (%q), want %d", p, len(p.Args), p.ArgSpec, len(want[p.String()]))
		}
		for i, a := range p.Args {
			prog, m := usdtArgProgram(t, p, a)
			l, err := AttachUSDT(prog, exe, p, 0)
			if err != nil {
				t.Fatal(err)
			}
			closeOnCleanup(t, l)
			sums = append(sums, sum{p.String(), a.Spec, i, m})
		}
	}
	if hits := usdttest.Loop(t, exe, n); hits != n {
		t.Errorf("with gbt:counted attached, %d of %d rounds saw its semaphore set", hits, n)
	}
	for _, sm := range sums {
		if got, w := int64(readCount(t, sm.m, 0)), want[sm.probe][sm.i]; got != w {
			t.Errorf("%s arg%d (%s): sum over %d rounds = %d, want %d", sm.probe, sm.i, sm.spec, n, got, w)
		}
	}
}

// TestUSDTCounts checks exact hit counts of USDT probes and that a
// semaphore is set only while its probe is attached.
func TestUSDTCounts(t *testing.T) {
	requireKernel(t)
	exe := usdttest.Build(t)
	probes, err := ReadUSDTProbes(exe)
	if err != nil {
		t.Fatal(err)
	}
	const n = 23
	if hits := usdttest.Loop(t, exe, n); hits != 0 {
		t.Errorf("with nothing attached, %d rounds saw gbt:counted's semaphore set", hits)
	}
	regs := MatchUSDT(probes, "regs")
	if len(regs) != 1 {
		t.Fatalf("MatchUSDT(regs) = %v", regs)
	}
	prog, counts := counterProgram(t, ebpf.Kprobe, 0, false)
	l, err := AttachUSDT(prog, exe, regs[0], 0)
	if err != nil {
		t.Fatal(err)
	}
	if hits := usdttest.Loop(t, exe, n); hits != 0 {
		t.Errorf("with only gbt:regs attached, %d rounds saw gbt:counted's semaphore set", hits)
	}
	if got := readCount(t, counts, 0); got != n {
		t.Errorf("usdt gbt:regs fired %d times in %d rounds", got, n)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	usdttest.Loop(t, exe, n)
	if got := readCount(t, counts, 0); got != n {
		t.Errorf("usdt gbt:regs fired %d more times after Close", got-n)
	}

	counted := MatchUSDT(probes, "gbt:count*")[0]
	prog2, counts2 := counterProgram(t, ebpf.Kprobe, 0, false)
	l2, err := AttachUSDT(prog2, exe, counted, 0)
	if err != nil {
		t.Fatal(err)
	}
	if hits := usdttest.Loop(t, exe, n); hits != n {
		t.Errorf("with gbt:counted attached, %d of %d rounds saw its semaphore set", hits, n)
	}
	if got := readCount(t, counts2, 0); got != n {
		t.Errorf("usdt gbt:counted fired %d times in %d rounds", got, n)
	}
	l2.Close()
	if hits := usdttest.Loop(t, exe, n); hits != 0 {
		t.Errorf("after detaching gbt:counted, %d rounds saw its semaphore set", hits)
	}
}
