package runtime

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/runtime/usdttest"
)

// TestELFSymbols looks up, matches and symbolizes the functions of the USDT
// test program, whose source says what they are.
func TestELFSymbols(t *testing.T) {
	exe := usdttest.Build(t)
	syms, err := OpenELFSymbols(exe)
	if err != nil {
		t.Fatal(err)
	}
	add, ok := syms.Lookup("gbt_add")
	if !ok || !add.Func || add.Size == 0 {
		t.Fatalf("Lookup(gbt_add) = %+v, %v", add, ok)
	}
	if g, ok := syms.Lookup("gbt_global"); !ok || g.Func || g.Size != 4 {
		t.Errorf("Lookup(gbt_global) = %+v, %v; want a 4-byte data symbol", g, ok)
	}
	if _, ok := syms.Lookup("no_such_symbol"); ok {
		t.Error("Lookup(no_such_symbol) found it")
	}

	var names []string
	for _, s := range syms.MatchFuncs("gbt_*") {
		names = append(names, s.Name)
	}
	want := []string{"gbt_add", "gbt_loop", "gbt_regs", "gbt_sem_round"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("MatchFuncs(gbt_*) (-want +got):\n%s", diff)
	}
	if got := syms.MatchFuncs("gbt_a?d"); len(got) != 1 || got[0].Name != "gbt_add" {
		t.Errorf("MatchFuncs(gbt_a?d) = %v", got)
	}

	for _, off := range []uint64{0, 1, add.Size - 1} {
		sym, got, ok := syms.Symbolize(add.Addr + off)
		if !ok || sym.Name != "gbt_add" || got != off {
			t.Errorf("Symbolize(gbt_add+%d) = %s+%d, %v", off, sym.Name, got, ok)
		}
	}
	if sym, _, ok := syms.Symbolize(1); ok {
		t.Errorf("Symbolize(1) = %s, want nothing", sym.Name)
	}

	cxx, ok := syms.Lookup("_ZN3gbt3cxxEi")
	if !ok {
		t.Fatal("no _ZN3gbt3cxxEi")
	}
	if sym, off, _ := syms.Symbolize(cxx.Addr + 2); SymOffset(sym.Name, off) != "gbt::cxx(int)+2" {
		t.Errorf("SymOffset at gbt::cxx+2 = %q", SymOffset(sym.Name, off))
	}

	fo, err := syms.FileOffset(add.Addr)
	if err != nil {
		t.Fatal(err)
	}
	if va, ok := syms.VirtAddr(fo); !ok || va != add.Addr {
		t.Errorf("VirtAddr(FileOffset(%#x)) = %#x, %v", add.Addr, va, ok)
	}
	if _, err := syms.FileOffset(1 << 60); err == nil {
		t.Error("FileOffset of an unmapped address: no error")
	}

	again, err := OpenELFSymbols(exe)
	if err != nil || again != syms {
		t.Errorf("second OpenELFSymbols(%s) did not come from the cache", exe)
	}
}

// TestELFSymbolsSystem checks symbols that bpftrace users probe most: bash's
// readline and libc's malloc, the latter found by library name.
func TestELFSymbolsSystem(t *testing.T) {
	for _, tt := range []struct{ binary, symbol string }{
		{"bash", "readline"},
		{"libc", "malloc"},
		{"libc", "getppid"},
	} {
		path, err := ResolveBinary(tt.binary)
		if err != nil {
			t.Errorf("ResolveBinary(%s): %v", tt.binary, err)
			continue
		}
		syms, err := OpenELFSymbols(path)
		if err != nil {
			t.Error(err)
			continue
		}
		sym, ok := syms.Lookup(tt.symbol)
		if !ok || !sym.Func {
			t.Errorf("%s has no function %s", path, tt.symbol)
			continue
		}
		if got, off, ok := syms.Symbolize(sym.Addr + 1); !ok || off != 1 || got.Addr != sym.Addr {
			t.Errorf("Symbolize(%s+1) in %s = %s+%d", tt.symbol, path, got.Name, off)
		}
		if m := syms.MatchFuncs(tt.symbol[:3] + "*"); len(m) == 0 {
			t.Errorf("MatchFuncs(%s*) in %s is empty", tt.symbol[:3], path)
		}
	}
}

func TestDemangle(t *testing.T) {
	for in, want := range map[string]string{
		"_ZN3gbt3cxxEi":                      "gbt::cxx(int)",
		"_ZNSt6vectorIiSaIiEE9push_backERKi": "std::vector<int, std::allocator<int> >::push_back(int const&)",
		"malloc":                             "malloc",
		"_Znot a real name":                  "_Znot a real name",
	} {
		if got := Demangle(in); got != want {
			t.Errorf("Demangle(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseLDCache checks the parser against a hand-built cache and, where
// ldconfig is installed, the real cache against `ldconfig -p`.
func TestParseLDCache(t *testing.T) {
	strs := "libfoo.so.1\x00/lib/libfoo.so.1\x00libbar.so\x00/usr/lib/libbar.so\x00"
	var b bytes.Buffer
	b.WriteString(ldCacheNewMagic)
	le := binary.LittleEndian
	binary.Write(&b, le, []uint32{2, uint32(len(strs))})
	b.Write(make([]byte, 4+4+12))
	base := uint32(ldCacheHeader + 2*ldCacheEntry)
	for _, e := range [][3]uint32{{0x0303, base, base + 12}, {0x0a03, base + 29, base + 39}} {
		binary.Write(&b, le, e)
		b.Write(make([]byte, 12))
	}
	b.WriteString(strs)
	got, err := ParseLDCache(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := []LDCacheEntry{
		{Name: "libfoo.so.1", Path: "/lib/libfoo.so.1", Flags: 0x0303},
		{Name: "libbar.so", Path: "/usr/lib/libbar.so", Flags: 0x0a03},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseLDCache (-want +got):\n%s", diff)
	}
	for _, bad := range [][]byte{nil, []byte("junk"), b.Bytes()[:60], append([]byte(ldCacheOldMagic+"\x00"), 0xff, 0xff, 0xff, 0x0f)} {
		if _, err := ParseLDCache(bad); err == nil {
			t.Errorf("ParseLDCache(%q...): no error", bad[:min(len(bad), 20)])
		}
	}

	data, err := os.ReadFile("/etc/ld.so.cache")
	ldconfig, lerr := exec.LookPath("ldconfig")
	if err != nil || lerr != nil {
		t.Skip("no /etc/ld.so.cache or ldconfig")
	}
	entries, err := ParseLDCache(data)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ldconfig, "-p").Output()
	if err != nil {
		t.Fatal(err)
	}
	var wantLines, gotLines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Scan() // "N libs found in cache"
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), "\t") {
			continue // "Cache generated by: ..."
		}
		name, rest, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		_, path, _ := strings.Cut(rest, " => ")
		wantLines = append(wantLines, name+" "+path)
	}
	for _, e := range entries {
		gotLines = append(gotLines, e.Name+" "+e.Path)
	}
	if diff := cmp.Diff(wantLines, gotLines); diff != "" {
		t.Errorf("ParseLDCache(/etc/ld.so.cache) against ldconfig -p (-want +got):\n%s", diff)
	}
}
