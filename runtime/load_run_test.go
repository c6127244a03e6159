package runtime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	goruntime "runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/lang/ast"
)

// runBegin compiles and loads src, runs its BEGIN program once with
// BPF_PROG_TEST_RUN and returns the events it sent, decoded to text: a
// printf record as its arguments separated by '|' (integers in decimal,
// signed per their type; strings up to the NUL), an exit record as
// "exit CODE".
func runBegin(t *testing.T, src string, params ...string) []string {
	t.Helper()
	obj := compileLive(t, src, params...)
	l := loadLive(t, obj)
	var begin string
	for _, p := range obj.Programs {
		if p.Attach.Kind == codegen.AttachBegin {
			begin = p.Name
		}
	}
	if begin == "" {
		t.Fatal("no BEGIN program")
	}
	if _, err := RunOnce(l.Programs[begin]); err != nil {
		t.Fatal(err)
	}
	rb := l.Maps[codegen.RingbufName]
	if rb == nil {
		return nil
	}
	rd, err := ringbuf.NewReader(rb)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var out []string
	for {
		rd.SetDeadline(time.Now())
		rec, err := rd.Read()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, decodeEvent(t, obj, rec.RawSample))
	}
}

func decodeEvent(t *testing.T, obj *codegen.Object, rec []byte) string {
	kind, index := codegen.SplitEventHeader(binary.NativeEndian.Uint64(rec))
	switch kind {
	case codegen.EventExit:
		return fmt.Sprintf("exit %d", int64(binary.NativeEndian.Uint64(rec[8:])))
	case codegen.EventPrint:
		return fmt.Sprintf("print %s %d %d", obj.Maps[index].ScriptName,
			binary.NativeEndian.Uint64(rec[8:]), binary.NativeEndian.Uint64(rec[16:]))
	case codegen.EventClear:
		return "clear " + obj.Maps[index].ScriptName
	case codegen.EventZero:
		return "zero " + obj.Maps[index].ScriptName
	case codegen.EventRuntimeError:
		return "runtime error at " + obj.RuntimeErrors[index].Pos.String()
	case codegen.EventTime:
		return fmt.Sprintf("time %q", obj.TimeFormats[index])
	case codegen.EventPrintValue:
		return "value " + decodeField(obj, rec, obj.PrintValues[index].Args[0])
	case codegen.EventPrintf:
		f := obj.Printfs[index]
		if len(rec) < f.Size {
			t.Fatalf("printf record of %d bytes, want %d", len(rec), f.Size)
		}
		var parts []string
		for _, a := range f.Args {
			parts = append(parts, decodeField(obj, rec, a))
		}
		return strings.Join(parts, "|")
	}
	t.Fatalf("unknown event kind %d", kind)
	return ""
}

func decodeField(obj *codegen.Object, rec []byte, f codegen.Field) string {
	b := rec[f.Offset : f.Offset+f.Size]
	switch f.Type.Kind {
	case ast.KString:
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
		return string(b)
	case ast.KTuple:
		var parts []string
		for _, e := range f.Elems {
			e.Offset += f.Offset
			parts = append(parts, decodeField(obj, rec, e))
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case ast.KTimestamp:
		ns := binary.NativeEndian.Uint64(b)
		return fmt.Sprintf("ts(%t %q)", ns > 0, obj.TimeFormats[binary.NativeEndian.Uint64(b[8:])])
	}
	v := binary.NativeEndian.Uint64(b)
	if f.Type.Signed {
		return fmt.Sprint(int64(v))
	}
	return fmt.Sprint(v)
}

// TestBeginSemantics runs BEGIN programs in the kernel and checks the
// values they compute against bpftrace 0.17's (printed there with %ld / %s).
func TestBeginSemantics(t *testing.T) {
	requireKernel(t)
	self := fmt.Sprint(os.Getpid())
	tests := []struct {
		name, src string
		params    []string
		want      []string
	}{
		{"division is unsigned", `BEGIN { printf("%ld %ld %ld", -7 / 2, -7 % 3, -7 >> 1); }`, nil,
			[]string{"9223372036854775804|0|9223372036854775804"}},
		{"division by zero", `BEGIN { $z = 0; printf("%d %d %d %d", 7 / 0, 7 % 0, 7 / $z, 7 % $z); }`, nil,
			[]string{"runtime error at 1:39", "runtime error at 1:46", "runtime error at 1:53", "runtime error at 1:61", "1|1|1|1"}},
		{"arithmetic", `BEGIN { printf("%d %d %d", -1 * 3, (uint8)255 + 1, 2 + 3 * 4 - 10 / 5); }`, nil,
			[]string{"-3|256|12"}},
		{"comparisons", `BEGIN { $x = -1; $a = (int32)-3; $b = (uint32)7; printf("%d %d %d %d", $x > 1, -5 < 3, $a < $b, 3 >= 3); }`, nil,
			[]string{"0|1|0|1"}},
		{"logic", `BEGIN { $t = 1; $f = 0; printf("%d %d %d %d", $t && $f, $t || $f, !$t, $f ? 10 : 20); }`, nil,
			[]string{"0|1|0|20"}},
		{"bitwise", `BEGIN { printf("%d %d %d %d", 6 & 3, 6 | 3, 6 ^ 3, 1 << 10); }`, nil,
			[]string{"2|7|5|1024"}},
		{"casts", `BEGIN { printf("%d %d %u", (uint8)300, (int8)200, (uint16)-1); }`, nil,
			[]string{"44|-56|65535"}},
		{"strings", `BEGIN { $s = "abc"; printf("%s %s %d %d", $s, "x", $s == "abc", $s != "abc"); }`, nil,
			[]string{"abc|x|1|0"}},
		{"pid and comm", `BEGIN { printf("%d %s", pid, comm); }`, nil,
			[]string{self + "|" + comm(t)}},
		{"positional", `BEGIN { printf("%d %d %s", $1 + 1, $#, $2); }`, []string{"41", "two"},
			[]string{"42|2|two"}},
		{"exit code", `BEGIN { printf("a"); exit(3); printf("b"); }`, nil,
			[]string{"", "exit 3"}},
		{"if else", `BEGIN { $x = 5; if ($x > 3) { printf("%d", 1); } else { printf("%d", 2); } if ($x < 3) { printf("%d", 3); } }`, nil,
			[]string{"1"}},
		{"increments", `BEGIN { $i = 1; $i++; ++$i; $i += 10; $j = $i--; printf("%d %d", $i, $j); }`, nil,
			[]string{"12|13"}},
		{"maps", `BEGIN { @x = 5; @x += 2; @x++; @m[1, "a"] = 3; printf("%d %d %d", @x, @m[1, "a"], @m[2, "b"]); }`, nil,
			[]string{"8|3|0"}},
		{"tuples", `BEGIN { $t = (1, "two", 3); printf("%d %s %d", $t.0, $t.1, $t.2); }`, nil,
			[]string{"1|two|3"}},
		{"return", `BEGIN { printf("x"); return; printf("y"); }`, nil,
			[]string{""}},
		{"has_key and delete", `BEGIN { @m[1] = 2; $a = has_key(@m, 1); delete(@m[1]); printf("%d %d %d", $a, has_key(@m, 1), has_key(@m, 3)); }`, nil,
			[]string{"1|0|0"}},
		{"strncmp", `BEGIN { $s = "abcdef"; printf("%d %d %d %d", strncmp($s, "abcxyz", 3), strncmp($s, "abcxyz", 4), strncmp("ab", $s, 6), strncmp($s, "abcdef", 64)); }`, nil,
			[]string{"0|1|1|0"}},
		{"defines", "#define K (2 * 1024)\nenum e { A = 3, B };\nBEGIN { printf(\"%d %d\", K, B); }", nil,
			[]string{"2048|4"}},
		{"big record in the scratch map", `BEGIN { printf("%s %s %s %s %s %d", str($1), str($1), str($1), str($1), str($1), 7); }`, []string{"long-enough-argument"},
			[]string{"long-enough-argument|long-enough-argument|long-enough-argument|long-enough-argument|long-enough-argument|7"}},
		{"map actions", `BEGIN { @a = 1; @b[1] = count(); print(@a); print(@b, 3, 10); clear(@a); zero(@b); time(); time("%s"); print((1, "x")); print(comm); }`, nil,
			[]string{"print @a 0 0", "print @b 3 10", "clear @a", "zero @b", `time "%H:%M:%S\n"`, `time "%s"`, "value (1, x)", "value " + comm(t)}},
		{"strftime", `BEGIN { printf("%s %s", strftime("%H", nsecs), strftime("%s", 0)); }`, nil,
			[]string{`ts(true "%H")|ts(false "%s")`}},
		{"loops", `BEGIN { $s = 0; for ($i : 1..5) { $s += $i; } $j = 0; while ($j < 100) { $j++; if ($j == 7) { break; } if ($j % 2) { continue; } $s += 100; } unroll(3) { $s += 1000; } printf("%d %d", $s, $j); }`, nil,
			[]string{"3310|7"}},
		{"kernel structs", `BEGIN { $t = (struct task_struct *)curtask; printf("%d %d %s", $t->tgid, $t->real_parent->tgid, $t->comm); }`, nil,
			[]string{self + "|" + fmt.Sprint(os.Getppid()) + "|" + comm(t)}},
		{"deep expression spills", `BEGIN { $v = 3; printf("%d", ` + strings.Repeat("$v + (", 39) + "$v" + strings.Repeat(")", 39) + `); }`, nil,
			[]string{"120"}},
		{"aggregations", `BEGIN { @c = count(); @c = count(); @s = sum(5); @s = sum(-2); @n = min(4); @n = min(-9); @x = max(4); @x = max(2); @a = avg(10); @a = avg(21); }`, nil,
			nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := runBegin(t, tc.src, tc.params...)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("%s\ngot  %q\nwant %q", tc.src, got, tc.want)
			}
		})
	}
}

func comm(t *testing.T) string {
	b, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// attachAll attaches every program of a loaded Object but BEGIN/END.
func attachAll(t *testing.T, l *Loaded) {
	t.Helper()
	for _, p := range l.Object.Programs {
		if p.Attach.Kind == codegen.AttachBegin || p.Attach.Kind == codegen.AttachEnd {
			continue
		}
		ap, err := PlanAttachPoint(p.Attach)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Attach(l.Programs[p.Name], ap)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
}

// readEvents drains the ring buffer.
func readEvents(t *testing.T, l *Loaded) []string {
	t.Helper()
	rd, err := ringbuf.NewReader(l.Maps[codegen.RingbufName])
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var out []string
	for {
		rd.SetDeadline(time.Now())
		rec, err := rd.Read()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, decodeEvent(t, l.Object, rec.RawSample))
	}
}

// TestTracepointCount counts this process's getppid calls by comm in a
// per-CPU map, exactly.
func TestTracepointCount(t *testing.T) {
	requireKernel(t)
	obj := compileLive(t, `tracepoint:syscalls:sys_enter_getppid /pid == $1/ { @[comm] = count(); @calls = sum(2); }`, fmt.Sprint(os.Getpid()))
	l := loadLive(t, obj)
	attachAll(t, l)
	const n = 1000
	for i := 0; i < n; i++ {
		syscall.Getppid()
	}
	for _, m := range obj.Maps {
		var key []byte
		want := int64(0)
		switch m.ScriptName {
		case "@":
			key = make([]byte, m.KeySize)
			copy(key, comm(t))
			want = n
		case "@calls":
			key = make([]byte, m.KeySize)
			want = 2 * n
		default:
			continue
		}
		if got := sumCPUs(t, l.Maps[m.Name], key, m.Agg); got[0] != want {
			t.Errorf("%s: %d, want %d", m.ScriptName, got[0], want)
		}
	}
}

// TestTracepointArgs reads integer and user-string arguments of a
// syscall tracepoint.
func TestTracepointArgs(t *testing.T) {
	requireKernel(t)
	obj := compileLive(t, `tracepoint:syscalls:sys_enter_openat /pid == $1/ { printf("%s %d %s", str(args.filename), args.flags, comm); }`, fmt.Sprint(os.Getpid()))
	l := loadLive(t, obj)
	attachAll(t, l)
	path := "/nonexistent/gbt-codegen-test"
	syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	got := readEvents(t, l)
	want := fmt.Sprintf("%s|%d|%s", path, syscall.O_RDONLY|syscall.O_CLOEXEC, comm(t))
	found := false
	for _, e := range got {
		found = found || e == want
	}
	if !found {
		t.Errorf("events %q, want one %q", got, want)
	}
}

// TestRawTracepointArgs reads the raw tracepoint's arguments: sys_enter's
// arg1 is the syscall number (getppid is 110 on x86-64).
func TestRawTracepointArgs(t *testing.T) {
	requireKernel(t)
	obj := compileLive(t, `rawtracepoint:sys_enter /pid == $1 && arg1 == 110/ { @n = count(); }`, fmt.Sprint(os.Getpid()))
	l := loadLive(t, obj)
	attachAll(t, l)
	const n = 100
	for i := 0; i < n; i++ {
		syscall.Getppid()
	}
	m := obj.Maps[0]
	if got := sumCPUs(t, l.Maps[m.Name], make([]byte, m.KeySize), m.Agg); got[0] != n {
		t.Errorf("@n = %d, want %d", got[0], n)
	}
}

// TestBeginBuiltins checks builtins whose values this process knows.
func TestBeginBuiltins(t *testing.T) {
	requireKernel(t)
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	got := runBegin(t, `BEGIN { printf("%d %d %d %d %d %d %d", tid, uid, gid, ncpus, elapsed < 10000000000, cgroup > 0, cpu < ncpus); }`)
	ncpus, err := ebpf.PossibleCPU()
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%d|%d|%d|%d|1|1|1", syscall.Gettid(), os.Getuid(), os.Getgid(), ncpus)
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
