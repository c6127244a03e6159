package runtime

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/codegen"
)

const testRecordSize = 64

// eventProgram loads a BEGIN-style program that, each time it runs, sends
// one testRecordSize-byte record holding a sequence number (1, 2, ...) to a
// ring buffer of ringSize bytes, and counts failed sends in a drops map, as
// the contract at codegen.DropsName says.
func eventProgram(t *testing.T, ringSize uint32) (prog *ebpf.Program, events, drops *ebpf.Map) {
	t.Helper()
	seq := newMap(t, &ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	events = newMap(t, &ebpf.MapSpec{Type: ebpf.RingBuf, MaxEntries: ringSize})
	drops = newMap(t, &ebpf.MapSpec{Name: codegen.DropsName, Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	insns := asm.Instructions{
		asm.StoreImm(asm.RFP, -4, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, seq.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.LoadMem(asm.R6, asm.R0, 0, asm.DWord),
		asm.Add.Imm(asm.R6, 1),
		asm.StoreMem(asm.R0, 0, asm.R6, asm.DWord),
		asm.StoreMem(asm.RFP, -8-testRecordSize, asm.R6, asm.DWord),
	}
	// cilium/ebpf's asm has no 64-bit store of an immediate.
	insns = append(insns, asm.Mov.Imm(asm.R1, 0))
	for off := int16(-testRecordSize); off < -8; off += 8 {
		insns = append(insns, asm.StoreMem(asm.RFP, off, asm.R1, asm.DWord))
	}
	insns = append(insns,
		asm.LoadMapPtr(asm.R1, events.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -8-testRecordSize),
		asm.Mov.Imm(asm.R3, testRecordSize),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnRingbufOutput.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.LoadMapPtr(asm.R1, drops.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord),
		asm.Add.Imm(asm.R1, 1),
		asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return(),
	)
	return newProgram(t, ebpf.RawTracepoint, insns), events, drops
}

func runTimes(t *testing.T, prog *ebpf.Program, n int) {
	t.Helper()
	for range n {
		if _, err := RunOnce(prog); err != nil {
			t.Fatal(err)
		}
	}
}

// collect starts r, gathering the records' sequence numbers.
func collect(t *testing.T, r *RingReader) *[]uint64 {
	seqs := new([]uint64)
	err := r.Start(func(rec []byte) error {
		if len(rec) != testRecordSize {
			return errors.New("record of the wrong size")
		}
		*seqs = append(*seqs, binary.NativeEndian.Uint64(rec))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

// checkSequence checks that seqs counts up from first without gaps.
func checkSequence(t *testing.T, seqs []uint64, first uint64) {
	t.Helper()
	for i, s := range seqs {
		if s != first+uint64(i) {
			t.Fatalf("record %d has sequence number %d, want %d (out of order or lost)", i, s, first+uint64(i))
		}
	}
}

// TestRingReaderDrops fills a one-page ring buffer before reading it: the
// events that did not fit are counted as dropped, the others arrive in
// order when Close drains the buffer.
func TestRingReaderDrops(t *testing.T) {
	requireKernel(t)
	pageSize := uint32(os.Getpagesize())
	prog, events, drops := eventProgram(t, pageSize)
	r, err := NewRingReader(events, drops)
	if err != nil {
		t.Fatal(err)
	}
	const sent = 100
	runTimes(t, prog, sent)
	seqs := collect(t, r)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	dropped, err := r.Dropped()
	if err != nil {
		t.Fatal(err)
	}
	// Each record takes an 8-byte header plus its data.
	fit := int(pageSize) / (8 + testRecordSize)
	if len(*seqs) != fit || int(dropped) != sent-fit {
		t.Errorf("received %d and dropped %d of %d events, want %d and %d", len(*seqs), dropped, sent, fit, sent-fit)
	}
	checkSequence(t, *seqs, 1)
}

// TestRingReaderLive reads while the program sends, then stops.
func TestRingReaderLive(t *testing.T) {
	requireKernel(t)
	prog, events, drops := eventProgram(t, 64*uint32(os.Getpagesize()))
	r, err := NewRingReader(events, drops)
	if err != nil {
		t.Fatal(err)
	}
	seqs := collect(t, r)
	const sent = 2000
	runTimes(t, prog, sent)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	dropped, err := r.Dropped()
	if err != nil {
		t.Fatal(err)
	}
	if len(*seqs) != sent || dropped != 0 {
		t.Errorf("received %d and dropped %d of %d events", len(*seqs), dropped, sent)
	}
	checkSequence(t, *seqs, 1)
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := r.Start(func([]byte) error { return nil }); err == nil {
		t.Error("Start after Close: no error")
	}
}

// TestRingReaderCallbackError stops reading at the callback's error, which
// Close returns.
func TestRingReaderCallbackError(t *testing.T) {
	requireKernel(t)
	prog, events, _ := eventProgram(t, uint32(os.Getpagesize()))
	r, err := NewRingReader(events, nil)
	if err != nil {
		t.Fatal(err)
	}
	runTimes(t, prog, 3)
	stop := errors.New("stop")
	calls := 0
	if err := r.Start(func([]byte) error {
		calls++
		return stop
	}); err != nil {
		t.Fatal(err)
	}
	<-r.Done()
	if err := r.Close(); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Close = %v after %d calls, want the callback's error after 1", err, calls)
	}
	if n, err := r.Dropped(); n != 0 || err != nil {
		t.Errorf("Dropped without a drops map = %d, %v", n, err)
	}
}
