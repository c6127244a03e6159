package runtime

import (
	"strings"
	"testing"
)

type printfCase struct {
	format string
	args   []Value
}

func intArgs(ns ...int64) []Value {
	vs := make([]Value, len(ns))
	for i, n := range ns {
		vs[i] = Int(n)
	}
	return vs
}

// printfCases run through both Sprintf and bpftrace 0.17 (printf.txtar).
// They avoid "%%", which 0.17 leaves doubled after the last conversion
// (see TestSprintfPercent).
var printfCases = []printfCase{
	{"%5d|%-5d|%05x|%u|%c|%s|", []Value{Int(42), Int(42), Int(255), Int(-1), Int(65), Str("hi")}},
	{"%d|%x|%X|%o|%lu|%llu|%ld|%lld|%lx|%hhx|%hd|", intArgs(-5, -1, 255, 8, -1, -1, -1, -1, -1, 257, 70000)},
	{"%d|%u|%ld|%lu|%x|%lx|%hhx|%hd|%hu|%c|%p|%p|", intArgs(1<<40, 1<<40, -1, -1, -1, -1, 257, 70000, -1, 321, 4096, 0)},
	{"%ld|%ld|%ld|%lu|%lu|%d|%u|", []Value{IntOf(^uint64(0), 4, false), IntOf(^uint64(0), 1, true), IntOf(^uint64(0), 4, true),
		IntOf(^uint64(0), 1, false), IntOf(^uint64(0), 2, true), IntOf(^uint64(0), 1, false), IntOf(^uint64(0), 1, true)}},
	{"%.3d|%8.3d|%-8s|%8s|%.1s|%08d|%-08d|%o|%X|%lX|%10p|%-10p|%5c|%-3c|%.0d|",
		[]Value{Int(7), Int(7), Str("ab"), Str("ab"), Str("xyz"), Int(-42), Int(42), Int(8), Int(255), Int(-1), Int(4096), Int(4096), Int(66), Int(67), Int(0)}},
	{"%05s|%3.5d|%-5.2s|%010lu|%.10lx|%jd|%zu|%td|%lo|%hho|", []Value{Str("ab"), Int(-3), Str("abc"), Int(12345), Int(255), Int(-7), Int(9), Int(-2), Int(8), Int(511)}},
	{"%r|%rx|%rh|", []Value{Buffer([]byte("ab\x01\xffc\n\"\\")), Buffer([]byte("ab\x01")), Buffer([]byte("ab\x01"))}},
	{"no args at all", nil},
	{"%s and %s", []Value{Str(""), Str("tail")}},
	{"[%-20s] [%20s]", []Value{Str("left"), Str("right")}},
	{"%lld %llu %llx", intArgs(-9223372036854775807, -9223372036854775807, -9223372036854775807)},
	{"%hhd %hhu %hd %hu", intArgs(200, -56, 40000, -25536)},
	{"%x %X %o", []Value{Uint(1<<63 + 10), Uint(1<<63 + 10), Uint(1<<63 + 10)}},
	{"%lx %lX %lo %lu %ld", []Value{Uint(1<<63 + 10), Uint(1<<63 + 10), Uint(1<<63 + 10), Uint(1<<63 + 10), Uint(1<<63 + 10)}},
	{"%-6d|%6d|%06d|%-6u|%6x|%06x", intArgs(-12, -12, -12, 12, 255, 255)},
	{"%.5s|%.0s|%10.2s|%-10.3s|", []Value{Str("abcdefgh"), Str("gone"), Str("abc"), Str("abcdef")}},
	{"%d %s %d", []Value{Int(1), Str("two"), Int(3)}},
	{"tab\there", nil},
	{"%c%c%c", intArgs(0x67, 0x62, 0x74)},
	{"%lp %p", intArgs(-1, 1)},
	{"%s", []Value{Tuple(Int(1), Str("two"))}},
}

func printfScript(cases []printfCase) string {
	var b strings.Builder
	b.WriteString("BEGIN {\n")
	for _, c := range cases {
		b.WriteString("  printf(" + btQuote(c.format+"\n"))
		for _, a := range c.args {
			b.WriteString(", " + btExpr(a))
		}
		b.WriteString(");\n")
	}
	b.WriteString("  exit();\n}\n")
	return b.String()
}

func TestSprintfOracle(t *testing.T) {
	cases := printfCases[:len(printfCases)-1] // 0.17 cannot printf a tuple
	g := checkGolden(t, "printf", printfScript(cases), false)
	var got strings.Builder
	for _, c := range cases {
		got.WriteString(Sprintf(c.format+"\n", c.args))
	}
	diffLines(t, "printf output", got.String(), strings.TrimSuffix(g.Text, "\n\n"))
}

// TestSprintf covers what bpftrace 0.17 cannot print (flags its format
// parser did not accept, %i, tuples, stacks); the expected strings of the
// C conversions are glibc's snprintf results.
func TestSprintf(t *testing.T) {
	for _, tc := range []struct {
		format string
		args   []Value
		want   string
	}{
		{"%s", []Value{Tuple(Int(1), Str("two"))}, "(1, two)"},
		{"%i|%5i|%hhi", intArgs(-5, 42, 255), "-5|   42|-1"},
		{"%+d|% d|%+d|% d", intArgs(5, 5, -5, -5), "+5| 5|-5|-5"},
		{"%#x|%#X|%#o|%#x|%#o", intArgs(255, 255, 8, 0, 0), "0xff|0XFF|010|0|0"},
		{"%+u|% x", intArgs(5, 5), "5|5"},
		{"%-+5d|%+05d", intArgs(3, 3), "+3   |+0003"},
		{"%.d|%5.d|", intArgs(0, 0), "|     |"},
		{"%010p|%-8p|", intArgs(4096, 0), "0x00001000|(nil)   |"},
		{"%#.3o|%#5x|%#05x", intArgs(8, 255, 255), "010| 0xff|0x0ff"},
		{"%d %d", intArgs(1), "1 0"},
		{"%d", intArgs(1, 2), "1"},
		{"%s", []Value{Buffer([]byte("a\x00b"))}, `a\x00b`},
		{"%rx", []Value{Str("AB")}, `\x41\x42`},
		{"%s", []Value{StackValue(&Stack{Frames: []Frame{{Addr: 0x10, Sym: "f+1"}, {Addr: 0x20}}})}, "\n        f+1\n        0x20\n"},
		{"%99999d|", intArgs(1), strings.Repeat(" ", maxPad-1) + "1|"},
		{"%q bad format", intArgs(1), "%q bad format"},
	} {
		if got := Sprintf(tc.format, tc.args); got != tc.want {
			t.Errorf("Sprintf(%q, %v) = %q, want %q", tc.format, tc.args, got, tc.want)
		}
	}
}

// TestSprintfPercent pins the one deliberate difference from bpftrace 0.17:
// "%%" is a percent sign everywhere, as in C and current bpftrace. 0.17 only
// resolved it before the last conversion ("x%%y" printed as "x%%y").
func TestSprintfPercent(t *testing.T) {
	for format, want := range map[string]string{
		"x%%y":           "x%y",
		"%d%%":           "7%",
		"%%%d":           "%7",
		"a%%b %d c%%":    "a%b 7 c%",
		"100%% of %s%%d": "100% of 7%d",
	} {
		if got := Sprintf(format, intArgs(7)); got != want {
			t.Errorf("Sprintf(%q, 7) = %q, want %q", format, got, want)
		}
	}
}

func TestFormatNumArgs(t *testing.T) {
	f, err := NewFormat("%d %% %s %rx\n")
	if err != nil {
		t.Fatal(err)
	}
	if f.NumArgs() != 3 {
		t.Errorf("NumArgs = %d, want 3", f.NumArgs())
	}
	if _, err := NewFormat("%lllld"); err == nil {
		t.Error("NewFormat(%lllld) succeeded, want an error")
	}
}

func BenchmarkSprintf(b *testing.B) {
	f, err := NewFormat("%-16s %6d %5d %-8s %lx %s\n")
	if err != nil {
		b.Fatal(err)
	}
	args := []Value{Str("systemd-journal"), Int(1234), Int(-1), Str("openat"), Uint(0xffffffff81000000), Str("/var/log/journal/x")}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = f.Append(buf[:0], args)
	}
}

func BenchmarkSprintfCached(b *testing.B) {
	args := []Value{Str("bash"), Int(42)}
	b.ReportAllocs()
	for b.Loop() {
		_ = Sprintf("%s pid=%d\n", args)
	}
}
