package lang

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseInt(t *testing.T) {
	cases := []struct {
		raw  string
		want uint64
		bad  bool
	}{
		{"0", 0, false},
		{"7", 7, false},
		{"0x1f", 31, false},
		{"0XFF", 255, false},
		{"017", 15, false},
		{"1_000_000", 1000000, false},
		{"1e6", 1000000, false},
		{"2E3", 2000, false},
		{"1e19", 10000000000000000000, false},
		{"1e20", 0, true},
		{"18446744073709551615", 1<<64 - 1, false},
		{"18446744073709551616", 0, true},
		{"0x10000000000000000", 0, true},
		{"3ns", 3, false},
		{"3us", 3000, false},
		{"3ms", 3000000, false},
		{"3s", 3000000000, false},
		{"3m", 180000000000, false},
		{"3h", 10800000000000, false},
		{"3d", 259200000000000, false},
		{"1_500ms", 1500000000, false},
		{"10u", 10, false},
		{"10UL", 10, false},
		{"10ull", 10, false},
		{"0x10ul", 16, false},
		{"08", 0, true},
		{"0x", 0, true},
		{"0xg", 0, true},
		{"12abc", 0, true},
		{"1e", 0, true},
		{"5sec", 0, true},
		{"1us2", 0, true},
	}
	for _, c := range cases {
		got, msg := parseInt(c.raw)
		if (msg != "") != c.bad {
			t.Errorf("parseInt(%q): error %q, want bad=%v", c.raw, msg, c.bad)
			continue
		}
		if !c.bad && got != c.want {
			t.Errorf("parseInt(%q) = %d, want %d", c.raw, got, c.want)
		}
	}
}

func TestUnquote(t *testing.T) {
	cases := []struct{ raw, want string }{
		{`""`, ""},
		{`"plain"`, "plain"},
		{`"a\nb\tc\\d\"e"`, "a\nb\tc\\d\"e"},
		{`"\x41\x7e\x9"`, "A~\t"},
		{`"\101\0\12"`, "A\x00\n"},
		{`"\r\a\b\f\v\e"`, "\r\a\b\f\v\x1b"},
		{`"\'\?"`, "'?"},
		{`"unterminated`, "unterminated"},
		{`"ends in escape\"`, `ends in escape"`},
	}
	for _, c := range cases {
		p := &parser{sc: newScanner("q", []byte(c.raw))}
		l := &lowerer{p: p}
		sp := l.tokSpan(tokenAt(c.raw))
		if got := l.unquote(sp, c.raw); got != c.want {
			t.Errorf("unquote(%s) = %q, want %q", c.raw, got, c.want)
		}
		if len(p.errs) != 0 {
			t.Errorf("unquote(%s): unexpected errors %v", c.raw, p.errs)
		}
	}
}

func TestProbeKinds(t *testing.T) {
	cases := map[string]string{
		"BEGIN": "begin", "END": "end", "begin": "begin",
		"t": "tracepoint", "Tracepoint": "tracepoint",
		"rt": "rawtracepoint", "k": "kprobe", "kr": "kretprobe",
		"f": "fentry", "kfunc": "fentry", "fr": "fexit", "kretfunc": "fexit",
		"u": "uprobe", "ur": "uretprobe", "U": "usdt", "USDT": "usdt",
		"p": "profile", "i": "interval", "s": "software", "h": "hardware",
		"w": "watchpoint", "aw": "asyncwatchpoint", "it": "iter",
		"Bogus": "bogus",
	}
	for provider, want := range cases {
		if got := probeKind(provider); got != want {
			t.Errorf("probeKind(%q) = %q, want %q", provider, got, want)
		}
	}
}

func TestSplitSpec(t *testing.T) {
	cases := []struct {
		raw  string
		want []string
	}{
		{"BEGIN", []string{"BEGIN"}},
		{"uprobe:/bin/bash:readline", []string{"uprobe", "/bin/bash", "readline"}},
		{`uprobe:"/a b/c:d":fn`, []string{"uprobe", "/a b/c:d", "fn"}},
		{`uprobe:/bin/x:"ns::fn"`, []string{"uprobe", "/bin/x", "ns::fn"}},
		{"interval:1s", []string{"interval", "1s"}},
		{"kprobe:", []string{"kprobe", ""}},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, splitSpec(c.raw)); diff != "" {
			t.Errorf("splitSpec(%q) (-want +got):\n%s", c.raw, diff)
		}
	}
}
