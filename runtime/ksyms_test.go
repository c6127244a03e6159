package runtime

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseKallsyms(t *testing.T) {
	const text = "ffffffff81000000 T srso_alias_untrain_ret\n" +
		"ffffffff81000000 T _stext\n" +
		"ffffffff81000000 T _text\n" +
		"0000000000000000 A fixed_percpu_data\n" +
		"ffffffff81001000 t helper\n" +
		"ffffffff81002000 T vfs_read\n" +
		"ffffffff81003000 t helper\n" +
		"ffffffffc0001000 t nft_do_chain\t[nf_tables]\n"
	k, err := ParseKallsyms(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if k.Len() != 7 {
		t.Errorf("Len() = %d, want 7 (the zero address left out)", k.Len())
	}
	tests := []struct {
		addr uint64
		want string // "name+off [module]", or "" for none
	}{
		{0xffffffff81000000, "_text+0"},
		{0xffffffff81000005, "_text+5"},
		{0xffffffff81001fff, "helper+4095"},
		{0xffffffff81002010, "vfs_read+16"},
		{0xffffffffc0001004, "nft_do_chain+4 [nf_tables]"},
		{0xffffffff80ffffff, ""},
		{0, ""},
	}
	for _, tt := range tests {
		got := ""
		if sym, off, ok := k.Symbolize(tt.addr); ok {
			got = SymOffset(sym.Name, off)
			if sym.Module != "" {
				got += " [" + sym.Module + "]"
			}
		}
		if got != tt.want {
			t.Errorf("Symbolize(%#x) = %q, want %q", tt.addr, got, tt.want)
		}
	}
	for name, want := range map[string]uint64{"vfs_read": 0xffffffff81002000, "helper": 0xffffffff81001000, "nft_do_chain": 0xffffffffc0001000} {
		if got, ok := k.Addr(name); !ok || got != want {
			t.Errorf("Addr(%s) = %#x, %v; want %#x", name, got, ok, want)
		}
	}
	if _, ok := k.Addr("fixed_percpu_data"); ok {
		t.Error("Addr found a symbol whose address is hidden")
	}
	for _, bad := range []string{"xyz T f\n", "ffffffff81000000 T\n", "ffffffff81000000 TT f\n"} {
		if _, err := ParseKallsyms(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseKallsyms(%q): no error", bad)
		}
	}
}

// TestKernelSymbols checks the live table: kaddr and ksym of a few
// functions every kernel has agree with each other.
func TestKernelSymbols(t *testing.T) {
	requireKernel(t)
	k, err := LoadKernelSymbols()
	if err != nil {
		t.Fatal(err)
	}
	if k.Len() < 1000 {
		t.Fatalf("only %d kernel symbols", k.Len())
	}
	s := NewSymbolizer()
	for _, name := range []string{"vfs_read", "do_syscall_64", "schedule"} {
		addr, ok := k.Addr(name)
		if !ok {
			t.Errorf("kaddr(%s): not found", name)
			continue
		}
		if got := s.Ksym(addr + 1); got != name {
			t.Errorf("ksym(kaddr(%s)+1) = %q", name, got)
		}
		st := s.KernelStack([]uint64{addr + 3, addr}, StackBpftrace)
		want := &Stack{Mode: StackBpftrace, Frames: []Frame{{Addr: addr + 3, Sym: name + "+3"}, {Addr: addr, Sym: name + "+0"}}}
		if diff := cmp.Diff(want, st); diff != "" {
			t.Errorf("KernelStack at %s (-want +got):\n%s", name, diff)
		}
		raw := s.KernelStack([]uint64{addr}, StackRaw)
		if raw.Frames[0].Sym != "" || raw.Frames[0].Addr != addr {
			t.Errorf("raw KernelStack frame = %+v, want the bare address", raw.Frames[0])
		}
	}
	if got := s.Ksym(1); got != "0x1" {
		t.Errorf("ksym(1) = %q, want 0x1", got)
	}
}
