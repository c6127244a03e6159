package codegen

import (
	"encoding/binary"
	"testing"

	"github.com/cilium/ebpf/asm"
	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/lang"
)

// compileUnsafe compiles a script checked with --unsafe.
func compileUnsafe(t *testing.T, src string) *Object {
	t.Helper()
	prog, err := lang.Parse("test.bt", []byte(src))
	if err == nil {
		err = lang.Check(prog, lang.CheckOptions{Unsafe: true})
	}
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	obj, err := Compile(prog, Options{Kernel: testKernel, Types: testTypes})
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return obj
}

// headerStores returns the record headers a program writes, as the
// (kind, index) pairs of its pairs of 32-bit immediate stores.
func headerStores(insns asm.Instructions) [][2]uint32 {
	var out [][2]uint32
	for i := 0; i+1 < len(insns); i++ {
		a, b := insns[i], insns[i+1]
		if a.OpCode.Class() != asm.StClass || b.OpCode.Class() != asm.StClass ||
			a.OpCode.Size() != asm.Word || b.OpCode.Size() != asm.Word || b.Offset != a.Offset+4 {
			continue
		}
		var h [8]byte
		binary.NativeEndian.PutUint32(h[:4], uint32(a.Constant))
		binary.NativeEndian.PutUint32(h[4:], uint32(b.Constant))
		kind, index := SplitEventHeader(binary.NativeEndian.Uint64(h[:]))
		out = append(out, [2]uint32{uint32(kind), index})
		i++
	}
	return out
}

// system() sites go to their own format table, and their records carry
// EventSystem and the site's index, in the order of the script, between
// the printf records around them.
func TestSystemRecords(t *testing.T) {
	obj := compileUnsafe(t, `tracepoint:syscalls:sys_enter_getppid {
		printf("before\n");
		system("echo %d %s", pid, comm);
		system("true");
		printf("after\n");
	}`)
	type site struct {
		Format string
		Args   []int // offsets
		Size   int
	}
	var got []site
	for _, f := range obj.Systems {
		s := site{Format: f.Format, Size: f.Size}
		for _, a := range f.Args {
			s.Args = append(s.Args, a.Offset)
		}
		got = append(got, s)
	}
	want := []site{{"echo %d %s", []int{8, 16}, 32}, {"true", nil, 8}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Systems (-want +got):\n%s", diff)
	}
	if len(obj.Printfs) != 2 {
		t.Errorf("%d printf sites, want 2", len(obj.Printfs))
	}
	headers := headerStores(obj.Programs[0].Insns)
	wantHeaders := [][2]uint32{
		{uint32(EventPrintf), 0}, {uint32(EventSystem), 0}, {uint32(EventSystem), 1}, {uint32(EventPrintf), 1},
	}
	if diff := cmp.Diff(wantHeaders, headers); diff != "" {
		t.Errorf("record headers (-want +got):\n%s\n%s", diff, obj.Listing())
	}
}

// A program emitted again with a big frame lists its system() sites once.
func TestSystemBigFrame(t *testing.T) {
	obj := compileUnsafe(t, `config = { max_strlen = 1024 }
	tracepoint:syscalls:sys_enter_openat {
		$a = str(args.filename); $b = str(args.filename); $c = comm;
		system("echo %s %s %s", $a, $b, $c);
	}`)
	if !usesMap(obj, FrameName) {
		t.Fatalf("the program does not use a big frame:\n%s", obj.Listing())
	}
	if len(obj.Systems) != 1 {
		t.Errorf("%d system sites, want 1:\n%s", len(obj.Systems), obj.Listing())
	}
}

func usesMap(obj *Object, name string) bool {
	for _, m := range obj.Maps {
		if m.Name == name {
			return true
		}
	}
	return false
}

// signal() loads the signal's number into R1 and calls bpf_send_signal:
// a name is resolved here, a number or an expression is evaluated.
func TestSignal(t *testing.T) {
	tests := []struct {
		src  string
		want int64 // the constant in R1, or -1 when computed
	}{
		{`signal("SIGTERM");`, 15},
		{`signal("KILL");`, 9},
		{`signal(10);`, 10},
		{`signal(pid % 2 + 1);`, -1},
	}
	for _, tc := range tests {
		obj := compileUnsafe(t, "tracepoint:syscalls:sys_enter_getppid { "+tc.src+" }")
		insns := obj.Programs[0].Insns
		call := -1
		for i, ins := range insns {
			if ins.IsBuiltinCall() && ins.Constant == int64(asm.FnSendSignal) {
				call = i
			}
		}
		if call < 1 {
			t.Errorf("%s: no call of bpf_send_signal:\n%s", tc.src, obj.Listing())
			continue
		}
		prev := insns[call-1]
		if prev.Dst != asm.R1 {
			t.Errorf("%s: the instruction before the call sets %v, not R1:\n%s", tc.src, prev.Dst, obj.Listing())
			continue
		}
		isConst := prev.OpCode.ALUOp() == asm.Mov && prev.OpCode.Source() == asm.ImmSource
		switch {
		case tc.want >= 0 && (!isConst || prev.Constant != tc.want):
			t.Errorf("%s: R1 = %v before the call, want %d", tc.src, prev, tc.want)
		case tc.want < 0 && isConst:
			t.Errorf("%s: R1 = %v, a constant, want the expression's value", tc.src, prev)
		}
	}
}
