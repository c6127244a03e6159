package runtime

import (
	"testing"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/lang"
)

// compileLive parses, checks and compiles src against the running kernel.
func compileLive(t testing.TB, src string, params ...string) *codegen.Object {
	t.Helper()
	prog, err := lang.Parse("test.bt", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if err := lang.Check(prog, lang.CheckOptions{Params: params}); err != nil {
		t.Fatalf("check: %v", err)
	}
	obj, err := codegen.Compile(prog, codegen.Options{Kernel: NewKernelInfo(liveTracefs(t)), Params: params})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return obj
}

// loadLive loads obj and unloads it when the test ends.
func loadLive(t testing.TB, obj *codegen.Object) *Loaded {
	t.Helper()
	l, err := Load(obj)
	if err != nil {
		if le, ok := err.(*LoadError); ok {
			t.Logf("verifier log:\n%s", le.Log())
		}
		t.Fatalf("load: %v\n%s", err, obj.Listing())
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// bpftraceCountSize is the xlated size in bytes of bpftrace 0.17's program
// for `tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }`, per
// `bpftool prog show` on the project's kernel (31 instructions).
const bpftraceCountSize = 248

func TestCountProgramSize(t *testing.T) {
	requireKernel(t)
	obj := compileLive(t, `tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }`)
	l := loadLive(t, obj)
	info, err := l.Programs[obj.Programs[0].Name].Info()
	if err != nil {
		t.Fatal(err)
	}
	insns, err := info.Instructions()
	if err != nil {
		t.Fatal(err)
	}
	size := int(insns.Size())
	t.Logf("xlated size: gbt %d bytes, bpftrace 0.17 %d bytes", size, bpftraceCountSize)
	if size > bpftraceCountSize {
		t.Errorf("gbt's program is %d bytes xlated, larger than bpftrace's %d:\n%v", size, bpftraceCountSize, insns)
	}
}
