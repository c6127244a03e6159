package codegen

import (
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/google/go-cmp/cmp"
)

// fakeUser is a UserInfo with one binary, /bin/prog (also called "prog"),
// whose functions and USDT probes are fixed.
type fakeUser struct {
	funcs  []string
	probes []USDTProbe
	params map[string][]FuncParam // by function; a function not here has no debug information
}

func (u fakeUser) FuncParams(binary, fn string) ([]FuncParam, error) {
	p, ok := u.params[fn]
	if !ok {
		return nil, fmt.Errorf("/bin/prog has no debug information (DWARF) for function %s", fn)
	}
	return p, nil
}

func (u fakeUser) Path(binary string) (string, error) {
	if binary != "/bin/prog" && binary != "prog" {
		return "", fmt.Errorf("no binary %q", binary)
	}
	return "/bin/prog", nil
}

func (u fakeUser) MatchFuncs(binary, pattern string) ([]string, error) {
	var out []string
	for _, f := range u.funcs {
		if ok, _ := path.Match(pattern, f); ok {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no function matches %q", pattern)
	}
	return out, nil
}

func (u fakeUser) USDT(binary, pattern string) ([]USDTProbe, error) {
	provider, name, ok := strings.Cut(pattern, ":")
	if !ok {
		provider, name = "*", pattern
	}
	var out []USDTProbe
	for _, p := range u.probes {
		pm, _ := path.Match(provider, p.Provider)
		nm, _ := path.Match(name, p.Name)
		if pm && nm {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no USDT probe matches %q", pattern)
	}
	return out, nil
}

var testUser = fakeUser{
	funcs: []string{"main", "read_all", "read_one", "write_one"},
	probes: []USDTProbe{
		{Provider: "app", Name: "start", PC: 0x1100, Args: []USDTArg{
			{Kind: USDTReg, Size: 4, Signed: true, Reg: 112, Index: -1},
			{Kind: USDTMem, Size: 8, Reg: 32, Offset: -16, Index: -1},
		}},
		{Provider: "app", Name: "start", PC: 0x1200, Args: []USDTArg{
			{Kind: USDTConst, Size: 4, Value: 5, Index: -1},
			{Kind: USDTGlobal, Size: 2, Reg: 128, Addr: 0x4000, Index: -1},
		}},
		{Provider: "app", Name: "stop", PC: 0x1300, ArgErr: "unknown register %xmm0"},
	},
}

func compileUser(src string) (*Object, error) {
	prog, err := parseCheck(src)
	if err != nil {
		return nil, err
	}
	return Compile(prog, Options{Kernel: testKernel, Types: testTypes, User: testUser})
}

// Each attach point expands into its programs: a USDT probe into one per
// location (argument locations differ), a uprobe wildcard into one per
// function; probe names the binary's file.
func TestUserExpansion(t *testing.T) {
	obj, err := compileUser(`usdt:prog:app:start { @a[arg0, arg1] = count(); }
uprobe:prog:read_* { @[probe] = count(); }
uretprobe:/bin/prog:main { @r = retval; }
usdt:/bin/prog:stop { @s = count(); }`)
	if err != nil {
		t.Fatal(err)
	}
	type prog struct {
		Probe  string
		Attach Attach
	}
	var got []prog
	for _, p := range obj.Programs {
		if p.Type != ebpf.Kprobe {
			t.Errorf("%s: program type %v, want Kprobe", p.Probe, p.Type)
		}
		got = append(got, prog{p.Probe, p.Attach})
	}
	want := []prog{
		{"usdt:prog:app:start", Attach{Kind: AttachUSDT, Binary: "prog", Target: "app:start", Offset: 0x1100}},
		{"usdt:prog:app:start", Attach{Kind: AttachUSDT, Binary: "prog", Target: "app:start", Offset: 0x1200}},
		{"uprobe:/bin/prog:read_all", Attach{Kind: AttachUprobe, Binary: "prog", Target: "read_all"}},
		{"uprobe:/bin/prog:read_one", Attach{Kind: AttachUprobe, Binary: "prog", Target: "read_one"}},
		{"uretprobe:/bin/prog:main", Attach{Kind: AttachUretprobe, Binary: "/bin/prog", Target: "main"}},
		{"usdt:/bin/prog:app:stop", Attach{Kind: AttachUSDT, Binary: "/bin/prog", Target: "app:stop", Offset: 0x1300}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("programs (-want +got):\n%s", diff)
	}
}

// Stacks use one stack map per kind and limit; kaddr and uaddr read config
// slots after the fixed fields; usym values are 16 bytes.
func TestStacksAndSymbols(t *testing.T) {
	obj, err := compileUser(`uprobe:prog:main {
	@k[kstack(3)] = count(); @k2[kstack(perf, 9)] = count(); @u[ustack] = count();
	@a = kaddr("vfs_read"); @b = uaddr("counter"); @c = kaddr("vfs_read"); @s = usym(arg0);
}`)
	if err != nil {
		t.Fatal(err)
	}
	maps := map[string]*Map{}
	for _, m := range obj.Maps {
		maps[m.Name] = m
	}
	for name, depth := range map[string]int{"kstack_3": 3, "kstack_9": 9, "ustack_127": MaxStackFrames} {
		m := maps[name]
		if m == nil || m.Kind != MapStack || m.Type != ebpf.StackTrace || m.KeySize != 4 || m.ValueSize != uint32(8*depth) {
			t.Errorf("stack map %s: %+v, want a %d-frame stack trace map", name, m, depth)
		}
	}
	wantSyms := []SymbolRef{{Name: "vfs_read"}, {Binary: "prog", Name: "counter"}}
	if diff := cmp.Diff(wantSyms, obj.Symbols); diff != "" {
		t.Errorf("symbols (-want +got):\n%s", diff)
	}
	if cfg := maps[ConfigName]; cfg == nil || cfg.ValueSize != uint32(SymbolSlot(2)) {
		t.Errorf("config map %+v, want %d bytes", cfg, SymbolSlot(2))
	}
	if s := maps["AT_s"]; s == nil || s.ValueSize != UsymSize {
		t.Errorf("usym map %+v, want %d-byte values", s, UsymSize)
	}
	if p := maps[ProcessesName]; p == nil || p.Type != ebpf.LRUHash {
		t.Errorf("processes map %+v, want an LRU hash", p)
	}
	// Without user stacks or symbols, no user stack map and no processes.
	obj, err = compileUser(`uprobe:prog:main { @k[kstack] = count(); }`)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range obj.Maps {
		if m.Kind == MapStack && m.Name != "kstack_127" {
			t.Errorf("map %s without ustack or usym", m.Name)
		}
	}
}

// What cannot be compiled is refused where it is written.
func TestUserRefusals(t *testing.T) {
	tests := []struct{ src, msg string }{
		{`usdt:prog:app:start { @ = arg2; }`, "usdt probe app:start has 2 arguments: arg2 does not exist"},
		{`usdt:prog:stop { @ = arg0; }`, "cannot read its arguments: unknown register %xmm0"},
		{`usdt:prog:nosuch { @ = 1; }`, `no USDT probe matches "nosuch"`},
		{`uprobe:prog:zz* { @ = 1; }`, `no function matches "zz*"`},
		{`uprobe:other:main { @ = 1; }`, `no binary "other"`},
		{`tracepoint:syscalls:sys_enter_read { @ = uaddr("x"); }`, "uaddr() can only be used"},
	}
	for _, tc := range tests {
		_, err := compileUser(tc.src)
		list := diagnostics(t, tc.src, err)
		if list == nil {
			continue
		}
		if !strings.Contains(list[0].Msg, tc.msg) || !list[0].Pos.IsValid() {
			t.Errorf("%s: got %v, want %q at a position", tc.src, list, tc.msg)
		}
	}
}
