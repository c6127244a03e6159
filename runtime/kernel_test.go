package runtime

import (
	"io"
	"os"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// requireKernel skips a test that needs root and a live kernel when the test
// does not run as root, except under GBT_KERNEL_TESTS=1 (set by CI), where a
// skipped kernel test would hide a failure, so it fails instead.
func requireKernel(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("GBT_KERNEL_TESTS") == "1" {
		t.Fatal("kernel test needs root, and GBT_KERNEL_TESTS=1 forbids skipping it")
	}
	t.Skip("kernel test: needs root (set GBT_KERNEL_TESTS=1 to make this a failure)")
}

// liveTracefs returns the running kernel's tracefs, mounting it if needed.
func liveTracefs(t testing.TB) *Tracefs {
	t.Helper()
	requireKernel(t)
	fs, err := OpenTracefs(true, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// newMap creates a map for a test and closes it when the test ends.
func newMap(t testing.TB, spec *ebpf.MapSpec) *ebpf.Map {
	t.Helper()
	m, err := ebpf.NewMap(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// newProgram loads insns as a program of type typ and closes it when the
// test ends.
func newProgram(t testing.TB, typ ebpf.ProgramType, insns asm.Instructions) *ebpf.Program {
	t.Helper()
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: typ, Instructions: insns, License: "GPL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prog.Close() })
	return prog
}

// counterProgram loads a program that counts its runs in a one-entry array
// map, optionally only those in the process pid (0: every process). With
// perCPU set the map has one entry per possible CPU and each run counts at
// its CPU's index.
func counterProgram(t testing.TB, typ ebpf.ProgramType, pid int, perCPU bool) (*ebpf.Program, *ebpf.Map) {
	t.Helper()
	entries := uint32(1)
	if perCPU {
		n, err := ebpf.PossibleCPU()
		if err != nil {
			t.Fatal(err)
		}
		entries = uint32(n)
	}
	counts := newMap(t, &ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: entries})
	var insns asm.Instructions
	if pid != 0 {
		insns = append(insns,
			asm.FnGetCurrentPidTgid.Call(),
			asm.RSh.Imm(asm.R0, 32),
			asm.JNE.Imm(asm.R0, int32(pid), "out"),
		)
	}
	if perCPU {
		insns = append(insns, asm.FnGetSmpProcessorId.Call())
	} else {
		insns = append(insns, asm.Mov.Imm(asm.R0, 0))
	}
	insns = append(insns,
		asm.StoreMem(asm.RFP, -4, asm.R0, asm.Word),
		asm.LoadMapPtr(asm.R1, counts.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.Mov.Imm(asm.R1, 1),
		asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return(),
	)
	return newProgram(t, typ, insns), counts
}

// readCount returns entry i of a counterProgram's map.
func readCount(t testing.TB, counts *ebpf.Map, i uint32) uint64 {
	t.Helper()
	var n uint64
	if err := counts.Lookup(i, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// closeOnCleanup closes an attachment when the test ends.
func closeOnCleanup(t testing.TB, c io.Closer) {
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("detach: %v", err)
		}
	})
}
