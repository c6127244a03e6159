package runtime

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/codegen"
)

var updateTracefs = flag.Bool("update-tracefs", false, "copy sample format files from the live tracefs into testdata/tracefs")

// sampleTracepoints are copied into testdata/tracefs by -update-tracefs.
var sampleTracepoints = []string{
	"syscalls/sys_enter_openat", "syscalls/sys_exit_openat", "syscalls/sys_enter_getppid",
	"sched/sched_switch", "sched/sched_process_exec", "sched/sched_process_exit",
	"raw_syscalls/sys_enter", "raw_syscalls/sys_exit",
	"dma/dma_map_sg", "fib/fib_table_lookup", "ftrace/function",
}

var testTracefs = &Tracefs{Dir: "testdata/tracefs"}

func TestUpdateTracefsTestdata(t *testing.T) {
	if !*updateTracefs {
		t.Skip("run with -update-tracefs to refresh testdata/tracefs")
	}
	live := liveTracefs(t)
	for _, tp := range sampleTracepoints {
		data, err := os.ReadFile(filepath.Join(live.Dir, "events", tp, "format"))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(testTracefs.Dir, "events", tp, "format")
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*", "", true},
		{"*", "sched_switch", true},
		{"sched_*", "sched_switch", true},
		{"sched_*", "sched", false},
		{"*_switch", "sched_switch", true},
		{"s?hed", "sched", true},
		{"s?hed", "shed", false},
		{"sys_*_open*", "sys_enter_openat", true},
		{"sys_*_open*", "sys_enter_close", false},
		{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaac", false},
		{"[a]", "a", false},
		{"[a]", "[a]", true},
		{"exact", "exact", true},
		{"exact", "exactly", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
		err     string
	}{
		{"sched:sched_switch", []string{"sched:sched_switch"}, ""},
		{"sched:sched_process_*", []string{"sched:sched_process_exec", "sched:sched_process_exit"}, ""},
		{"syscalls:sys_?xit_openat", []string{"syscalls:sys_exit_openat"}, ""},
		{"*:sys_enter*", []string{"raw_syscalls:sys_enter", "syscalls:sys_enter_getppid", "syscalls:sys_enter_openat"}, ""},
		{"raw_*:*", []string{"raw_syscalls:sys_enter", "raw_syscalls:sys_exit"}, ""},
		{"sched:nothing*", nil, ""},
		{"ftrace:*", nil, ""},
		{"ftrace:function", nil, "does not exist"},
		{"sched:sched_nope", nil, "tracepoint sched:sched_nope does not exist"},
		{"sched", nil, "want group:event"},
		{"sched:", nil, "want group:event"},
		{"a:b:c", nil, "want group:event"},
		{"..:sched", nil, "invalid name"},
		{"sched:../x", nil, "invalid name"},
	}
	for _, tt := range tests {
		got, err := testTracefs.Match(tt.pattern)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Match(%q) error = %v, want %q", tt.pattern, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Match(%q): %v", tt.pattern, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Match(%q) (-want +got):\n%s", tt.pattern, diff)
		}
	}
}

func TestParseFieldDecl(t *testing.T) {
	tests := []struct {
		decl, name, ctype string
		n                 int
		err               bool
	}{
		{"const char * filename", "filename", "const char *", 0, false},
		{"char comm[16]", "comm", "char[16]", 16, false},
		{"unsigned long args[6]", "args", "unsigned long[6]", 6, false},
		{"unsigned long args[]", "args", "unsigned long[]", 0, false},
		{"__data_loc char[] name", "name", "__data_loc char[]", 0, false},
		{"__data_loc u64[] phys_addrs", "phys_addrs", "__data_loc u64[]", 0, false},
		{"int __syscall_nr", "__syscall_nr", "int", 0, false},
		{"char *buf", "buf", "char *", 0, false},
		{"  unsigned   int  x ", "x", "unsigned int", 0, false},
		{"struct mm_struct * mm", "mm", "struct mm_struct *", 0, false},
		{"u8 saddr[TASK_COMM_LEN]", "saddr", "u8[TASK_COMM_LEN]", 0, false},
		{"x", "", "", 0, true},
		{"int 9x", "", "", 0, true},
		{"int a]", "", "", 0, true},
		{"", "", "", 0, true},
	}
	for _, tt := range tests {
		name, ctype, n, err := ParseFieldDecl(tt.decl)
		if (err != nil) != tt.err {
			t.Errorf("ParseFieldDecl(%q) error = %v, want error %v", tt.decl, err, tt.err)
			continue
		}
		if name != tt.name || ctype != tt.ctype || n != tt.n {
			t.Errorf("ParseFieldDecl(%q) = %q, %q, %d; want %q, %q, %d", tt.decl, name, ctype, n, tt.name, tt.ctype, tt.n)
		}
	}
}

var commonFields = []codegen.TracepointField{
	{Name: "common_type", CType: "unsigned short", Offset: 0, Size: 2, Common: true},
	{Name: "common_flags", CType: "unsigned char", Offset: 2, Size: 1, Common: true},
	{Name: "common_preempt_count", CType: "unsigned char", Offset: 3, Size: 1, Common: true},
	{Name: "common_pid", CType: "int", Offset: 4, Size: 4, Signed: true, Common: true},
}

func TestKernelInfoTracepoint(t *testing.T) {
	tests := []struct {
		group, event string
		id           uint32
		fields       []codegen.TracepointField
	}{
		{"syscalls", "sys_enter_openat", 782, []codegen.TracepointField{
			{Name: "__syscall_nr", CType: "int", Offset: 8, Size: 4, Signed: true},
			{Name: "dfd", CType: "int", Offset: 16, Size: 8},
			{Name: "filename", CType: "const char *", Offset: 24, Size: 8},
			{Name: "flags", CType: "int", Offset: 32, Size: 8},
			{Name: "mode", CType: "umode_t", Offset: 40, Size: 8},
		}},
		{"sched", "sched_process_exec", 365, []codegen.TracepointField{
			{Name: "filename", CType: "__data_loc char[]", Offset: 8, Size: 4},
			{Name: "pid", CType: "pid_t", Offset: 12, Size: 4, Signed: true},
			{Name: "old_pid", CType: "pid_t", Offset: 16, Size: 4, Signed: true},
		}},
		{"raw_syscalls", "sys_enter", 443, []codegen.TracepointField{
			{Name: "id", CType: "long", Offset: 8, Size: 8, Signed: true},
			{Name: "args", CType: "unsigned long[6]", Offset: 16, Size: 48, ArrayLen: 6},
		}},
	}
	ki := NewKernelInfo(testTracefs)
	for _, tt := range tests {
		got, err := ki.Tracepoint(tt.group, tt.event)
		if err != nil {
			t.Errorf("Tracepoint(%s, %s): %v", tt.group, tt.event, err)
			continue
		}
		want := &codegen.TracepointFormat{Group: tt.group, Event: tt.event, ID: tt.id,
			Fields: append(append([]codegen.TracepointField(nil), commonFields...), tt.fields...)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Tracepoint(%s, %s) (-want +got):\n%s", tt.group, tt.event, diff)
		}
		again, _ := ki.Tracepoint(tt.group, tt.event)
		if again != got {
			t.Errorf("Tracepoint(%s, %s) was not cached", tt.group, tt.event)
		}
	}
	if _, err := ki.Tracepoint("sched", "missing"); err == nil {
		t.Error("Tracepoint(sched, missing): no error")
	}
}

func TestParseTracepointFormatArrays(t *testing.T) {
	f, err := testTracefs.Format("sched", "sched_switch")
	if err != nil {
		t.Fatal(err)
	}
	want := codegen.TracepointField{Name: "prev_comm", CType: "char[16]", Offset: 8, Size: 16, ArrayLen: 16}
	if diff := cmp.Diff(want, f.Fields[4]); diff != "" {
		t.Errorf("sched_switch field 4 (-want +got):\n%s", diff)
	}
}

func TestParseTracepointFormatErrors(t *testing.T) {
	tests := []struct{ name, text, err string }{
		{"empty", "", "not a tracepoint format"},
		{"no id", "name: x\nformat:\n", "not a tracepoint format"},
		{"bad id", "name: x\nID: x1\n", "bad ID"},
		{"bad offset", "name: x\nID: 1\nformat:\n\tfield:int a;\toffset:q;\tsize:4;\tsigned:1;\n", "bad offset"},
		{"no size", "name: x\nID: 1\nformat:\n\tfield:int a;\toffset:8;\n", "missing offset or size"},
		{"bad decl", "name: x\nID: 1\nformat:\n\tfield:a;\toffset:8;\tsize:4;\n", "bad declaration"},
	}
	for _, tt := range tests {
		_, err := ParseTracepointFormat([]byte(tt.text))
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: error = %v, want %q", tt.name, err, tt.err)
		}
	}
}

// TestLiveTracefs lists the running kernel's tracepoints and parses every
// format file.
func TestLiveTracefs(t *testing.T) {
	live := liveTracefs(t)
	// The best of five runs, so that a loaded machine does not fail it.
	var all []string
	best := time.Hour
	for range 5 {
		start := time.Now()
		var err error
		if all, err = live.Tracepoints(); err != nil {
			t.Fatal(err)
		}
		best = min(best, time.Since(start))
	}
	if best > 100*time.Millisecond {
		t.Errorf("listing %d tracepoints took %v, want < 100ms", len(all), best)
	}
	if len(all) < 100 {
		t.Fatalf("only %d tracepoints listed", len(all))
	}
	ki := NewKernelInfo(live)
	for _, tp := range all {
		group, event, _ := strings.Cut(tp, ":")
		f, err := ki.Tracepoint(group, event)
		if err != nil {
			t.Errorf("%s: %v", tp, err)
			continue
		}
		if f.Event != event || f.ID == 0 || len(f.Fields) < 4 || !f.Fields[0].Common {
			t.Errorf("%s: implausible format %+v", tp, f)
		}
	}
	got, err := ki.MatchTracepoints("syscalls:sys_enter_getppid")
	if err != nil || len(got) != 1 {
		t.Errorf("MatchTracepoints(syscalls:sys_enter_getppid) = %v, %v", got, err)
	}
}

// TestOpenTracefsMounts runs TestOpenTracefsInNamespace in a private mount
// namespace where tracefs is unmounted, so OpenTracefs must mount it.
func TestOpenTracefsMounts(t *testing.T) {
	requireKernel(t)
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("no unshare(1)")
	}
	script := `umount ` + TracefsDir + ` 2>/dev/null; exec "$0" -test.run='^TestOpenTracefsInNamespace$' -test.v`
	cmd := exec.Command(unshare, "--mount", "--propagation", "private", "/bin/sh", "-c", script, os.Args[0])
	cmd.Env = append(os.Environ(), "GBT_TRACEFS_NAMESPACE=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestOpenTracefsInNamespace") {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestOpenTracefsInNamespace(t *testing.T) {
	if os.Getenv("GBT_TRACEFS_NAMESPACE") != "1" {
		t.Skip("run by TestOpenTracefsMounts")
	}
	if isTracefs(TracefsDir) {
		t.Fatalf("%s is still mounted", TracefsDir)
	}
	if _, err := OpenTracefs(false, nil); err == nil {
		t.Fatal("OpenTracefs(false) found a tracefs that is not mounted")
	}
	var logged []string
	fs, err := OpenTracefs(true, func(format string, args ...any) {
		logged = append(logged, fmt.Sprintf(format, args...))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"mounted tracefs at " + TracefsDir}
	if !fs.Mounted || fs.Dir != TracefsDir || !slices.Equal(logged, want) {
		t.Errorf("OpenTracefs = %+v, logged %q; want a mount at %s, logged %q", fs, logged, TracefsDir, want)
	}
	if _, err := fs.Match("syscalls:sys_enter_getppid"); err != nil {
		t.Error(err)
	}
}

// FuzzParseTracepointFormat checks that no input makes the parser panic and
// that what it accepts is well formed. It is seeded with the recorded
// format files.
func FuzzParseTracepointFormat(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(testTracefs.Dir, "events", "*", "*", "format"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tf, err := ParseTracepointFormat(data)
		if err != nil {
			return
		}
		if tf.Event == "" {
			t.Error("accepted a format without a name")
		}
		for _, fld := range tf.Fields {
			if fld.Name == "" || fld.CType == "" {
				t.Errorf("accepted field %+v", fld)
			}
		}
	})
}
