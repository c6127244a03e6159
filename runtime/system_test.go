package runtime

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/lang"
	"github.com/gbt-project/gbt/lang/ast"
)

// systemObject has one system() site whose command takes a string and an
// integer, and systemRecord builds its record.
var systemObject = &codegen.Object{Systems: []*codegen.PrintfFormat{{
	Format: "echo %s %d; echo to-stderr >&2; exit 3",
	Args: []codegen.Field{
		{Offset: 8, Size: 16, Type: ast.String(16)},
		{Offset: 24, Size: 8, Type: ast.Int(8, true)},
	},
	Size: 32,
}}}

func systemRecord(s string, n int64) []byte {
	rec := make([]byte, 32)
	binary.NativeEndian.PutUint64(rec, codegen.EventHeader(codegen.EventSystem, 0))
	copy(rec[8:24], s)
	binary.NativeEndian.PutUint64(rec[24:], uint64(n))
	return rec
}

// An EventSystem record runs its command with the shell: its standard
// output is printed in order with the other output, as text or as a
// "syscall" JSON event, its standard error goes with the warnings, and
// its exit status does not stop the run.
func TestRunSystem(t *testing.T) {
	for _, tc := range []struct {
		format string
		want   string
	}{
		{"text", "before\nhello -42\nafter\n"},
		{"json", `{"type": "printf", "data": "before\n"}` + "\n" +
			`{"type": "syscall", "data": "hello -42\n"}` + "\n" +
			`{"type": "printf", "data": "after\n"}` + "\n"},
	} {
		var out, warn bytes.Buffer
		var o Output = NewText(&out, &warn)
		if tc.format == "json" {
			o = NewJSON(&out)
		}
		r := &run{obj: systemObject, out: o, dec: newDecoder(systemObject)}
		r.warn.Store(&warn)
		o.Printf("before\n")
		if err := r.event(systemRecord("hello", -42)); err != nil {
			t.Fatalf("%s: %v", tc.format, err)
		}
		o.Printf("after\n")
		if diff := cmp.Diff(tc.want, out.String()); diff != "" {
			t.Errorf("%s output (-want +got):\n%s", tc.format, diff)
		}
		if got := warn.String(); got != "to-stderr\n" {
			t.Errorf("%s: stderr %q, want %q", tc.format, got, "to-stderr\n")
		}
	}
}

// A record naming a site the Object does not have is an error.
func TestRunSystemUnknownSite(t *testing.T) {
	r := &run{obj: systemObject, out: NewText(new(bytes.Buffer), nil), dec: newDecoder(systemObject)}
	rec := systemRecord("x", 1)
	binary.NativeEndian.PutUint64(rec, codegen.EventHeader(codegen.EventSystem, 1))
	if err := r.event(rec); err == nil {
		t.Error("a record of an unknown system() site was accepted")
	}
}

// signal() in BEGIN, which gbt runs in its own process, delivers the
// signal to this process: the helper really sends it.
func TestSignalBegin(t *testing.T) {
	requireKernel(t)
	prog, err := lang.Parse("test.bt", []byte(`BEGIN { signal("SIGUSR1"); }`))
	if err == nil {
		err = lang.Check(prog, lang.CheckOptions{Unsafe: true})
	}
	if err != nil {
		t.Fatal(err)
	}
	obj, err := codegen.Compile(prog, codegen.Options{Kernel: NewKernelInfo(liveTracefs(t)), Types: kernelTypes})
	if err != nil {
		t.Fatal(err)
	}
	l := loadLive(t, obj)
	got := make(chan os.Signal, 1)
	signal.Notify(got, syscall.SIGUSR1)
	defer signal.Stop(got)
	if _, err := RunOnce(l.Programs[obj.Programs[0].Name]); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("BEGIN's signal(\"SIGUSR1\") did not arrive in 5s")
	}
}
