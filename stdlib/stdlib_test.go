package stdlib

import (
	"sort"
	"testing"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/google/go-cmp/cmp"
)

// The builtins REFERENCE.md lists; the catalogue must hold every one.
var referenceBuiltins = []string{
	"pid", "tid", "uid", "gid", "comm", "nsecs", "elapsed", "cpu", "ncpus", "cgroup", "curtask",
	"retval", "func", "probe", "rand", "username", "args", "arg0", "arg12", "kstack", "ustack",
	"cpid", "jiffies", "numaid",
	"printf", "print", "time", "strftime", "exit", "join", "cat", "system", "signal", "str", "buf",
	"ksym", "usym", "kaddr", "uaddr", "ntop", "clear", "delete", "zero", "has_key", "len", "strncmp",
	"strcontains", "sizeof", "offsetof", "cgroupid", "path", "reg", "kptr", "uptr", "macaddr", "override",
	"count", "sum", "avg", "min", "max", "stats", "hist", "lhist",
}

func TestCatalogueComplete(t *testing.T) {
	for _, name := range referenceBuiltins {
		if Lookup(name) == nil {
			t.Errorf("Lookup(%q) = nil", name)
		}
	}
	for _, bad := range []string{"pdi", "arg", "argx", "arg01", ""} {
		if e := Lookup(bad); e != nil {
			t.Errorf("Lookup(%q) = %s, want nil", bad, e.Name)
		}
	}
}

func TestEntriesWellFormed(t *testing.T) {
	all := Builtins()
	if !sort.SliceIsSorted(all, func(i, j int) bool { return all[i].Name < all[j].Name }) {
		t.Error("Builtins() is not sorted")
	}
	for _, e := range all {
		if e.Doc == "" {
			t.Errorf("%s: no doc", e.Name)
		}
		if e.Statement == (e.Result != nil) {
			t.Errorf("%s: exactly one of Statement and Result must be set", e.Name)
		}
		if e.MinArgs > len(e.Params) {
			t.Errorf("%s: MinArgs %d > %d params", e.Name, e.MinArgs, len(e.Params))
		}
		for _, k := range e.Probes {
			if ProbeKind(k) == nil || ProbeKind(k).Name != k {
				t.Errorf("%s: probe kind %q is not canonical", e.Name, k)
			}
		}
	}
}

func TestVariableTypes(t *testing.T) {
	ctx := &Ctx{MaxStrLen: 64, ProbeKind: "uprobe"}
	tests := map[string]string{
		"pid": "uint32", "tid": "uint32", "uid": "uint64", "nsecs": "uint64", "comm": "string[16]",
		"curtask": "struct task_struct *", "func": "usym", "arg3": "uint64", "username": "username",
		"probe": "probe", "kstack": "kstack",
	}
	for name, want := range tests {
		got, err := Lookup(name).Result(ctx)
		if err != nil || got.String() != want {
			t.Errorf("%s: got %v, %v; want %s", name, got, err, want)
		}
	}
}

func lit(v uint64) ast.Expr { return &ast.IntLit{Value: v} }
func str(s string) ast.Expr { return &ast.StrLit{Value: s} }

func TestTypeRules(t *testing.T) {
	i64, u64 := ast.Int(8, true), ast.Int(8, false)
	tests := []struct {
		name  string
		args  []*ast.Type
		exprs []ast.Expr
		want  string
		err   string
	}{
		{"str", []*ast.Type{u64}, []ast.Expr{&ast.Ident{}}, "string[64]", ""},
		{"str", []*ast.Type{u64, i64}, []ast.Expr{&ast.Ident{}, lit(5)}, "string[6]", ""},
		{"str", []*ast.Type{u64, i64}, []ast.Expr{&ast.Ident{}, lit(500)}, "string[64]", ""},
		{"buf", []*ast.Type{u64, i64}, []ast.Expr{&ast.Ident{}, lit(16)}, "buffer[16]", ""},
		{"sum", []*ast.Type{i64}, []ast.Expr{&ast.Ident{}}, "sum", ""},
		{"hist", []*ast.Type{i64, i64}, []ast.Expr{&ast.Ident{}, lit(9)}, "", "hist() bits must be an integer literal from 0 to 5"},
		{"lhist", []*ast.Type{i64, i64, i64, i64}, []ast.Expr{&ast.Ident{}, lit(0), lit(100), lit(10)}, "lhist", ""},
		{"lhist", []*ast.Type{i64, i64, i64, i64}, []ast.Expr{&ast.Ident{}, lit(10), lit(1), lit(1)}, "", "lhist() min must be less than max"},
		{"lhist", []*ast.Type{i64, i64, i64, i64}, []ast.Expr{&ast.Ident{}, lit(0), &ast.Ident{}, lit(1)}, "", "lhist() max must be an integer literal"},
		{"reg", []*ast.Type{ast.String(3)}, []ast.Expr{str("ip")}, "uint64", ""},
		{"reg", []*ast.Type{ast.String(4)}, []ast.Expr{str("xyz")}, "", "'xyz' is not a valid register"},
		{"signal", []*ast.Type{ast.String(8)}, []ast.Expr{str("SIGKILL")}, "none", ""},
		{"signal", []*ast.Type{ast.String(6)}, []ast.Expr{str("SIGFOO")}, "", "invalid signal name: SIGFOO"},
		{"kstack", []*ast.Type{ast.None(), i64}, []ast.Expr{&ast.Ident{Name: "perf"}, lit(3)}, "kstack", ""},
		{"ustack", []*ast.Type{ast.None()}, []ast.Expr{&ast.Ident{Name: "fast"}}, "", "unknown stack mode 'fast' (expected bpftrace, perf or raw)"},
	}
	for _, tt := range tests {
		got, err := Lookup(tt.name).Result(&Ctx{Args: tt.args, Exprs: tt.exprs, MaxStrLen: 64})
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s%v: err %v, want %q", tt.name, tt.exprs, err, tt.err)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("%s%v: got %v, %v; want %s", tt.name, tt.exprs, got, err, tt.want)
		}
	}
}

func TestProbeKinds(t *testing.T) {
	for in, want := range map[string]string{
		"t": "tracepoint", "tracepoint": "tracepoint", "Tracepoint": "tracepoint", "kfunc": "fentry",
		"kretfunc": "fexit", "U": "usdt", "u": "uprobe", "BEGIN": "begin", "i": "interval", "rt": "rawtracepoint",
	} {
		if k := ProbeKind(in); k == nil || k.Name != want {
			t.Errorf("ProbeKind(%q) = %v, want %s", in, k, want)
		}
	}
	if k := ProbeKind("trace"); k != nil {
		t.Errorf("ProbeKind(trace) = %s", k.Name)
	}
	if got := ClosestProbeKind("tracpoint"); got != "tracepoint" {
		t.Errorf("ClosestProbeKind(tracpoint) = %q", got)
	}
}

func TestAlternative(t *testing.T) {
	tests := []struct{ kind, target, want string }{
		{"kprobe", "do_sys_open", "tracepoint:syscalls:sys_enter_openat"},
		{"kretprobe", "vfs_read", "tracepoint:syscalls:sys_exit_read"},
		{"kprobe", "__x64_sys_getppid", "tracepoint:syscalls:sys_enter_getppid"},
		{"fexit", "ksys_write", "tracepoint:syscalls:sys_exit_write"},
		{"kprobe", "vmlinux:tcp_v4_connect", "tracepoint:syscalls:sys_enter_* or a rawtracepoint"},
		{"hardware", "cycles:100", "software:cpu-clock or profile:hz:99"},
		{"tracepoint", "sched:sched_switch", ""},
	}
	for _, tt := range tests {
		if got := Alternative(tt.kind, tt.target); got != tt.want {
			t.Errorf("Alternative(%s, %s) = %q, want %q", tt.kind, tt.target, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	for in, want := range map[string]string{"pdi": "pid", "comn": "comm", "nsec": "nsecs", "xyzzy": "", "pid": ""} {
		if got := ClosestBuiltin(in, Variable); got != want {
			t.Errorf("ClosestBuiltin(%q) = %q, want %q", in, got, want)
		}
	}
	if got := ClosestBuiltin("prinft", Function); got != "printf" {
		t.Errorf("ClosestBuiltin(prinft) = %q", got)
	}
}

func TestParseFormat(t *testing.T) {
	verbs, err := ParseFormat("%d %-5s %%  %08.3llx %rx %p\n")
	if err != nil {
		t.Fatal(err)
	}
	var convs []string
	for _, v := range verbs {
		convs = append(convs, v.Flags+v.Width+"."+v.Prec+v.Length+v.Conv)
	}
	if diff := cmp.Diff([]string{".d", "-5.s", "08.3llx", ".rx", ".p"}, convs); diff != "" {
		t.Error(diff)
	}
	for f, want := range map[string]string{
		"%q":     "printf: unknown format specifier '%q'",
		"abc %":  "printf: incomplete format specifier at the end of the format",
		"%*d":    "printf: '*' widths are not supported",
		"%lllld": "printf: invalid length modifier 'llll'",
	} {
		if _, err := ParseFormat(f); err == nil || err.Error() != want {
			t.Errorf("ParseFormat(%q) = %v, want %q", f, err, want)
		}
	}
}

func TestSignalNumber(t *testing.T) {
	for in, want := range map[string]int{"SIGKILL": 9, "KILL": 9, "15": 15, "SIGNOPE": -1, "0": -1, "": -1} {
		if got := SignalNumber(in); got != want {
			t.Errorf("SignalNumber(%q) = %d, want %d", in, got, want)
		}
	}
}
