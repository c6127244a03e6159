package runtime

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// KernelSymbol is one line of /proc/kallsyms.
type KernelSymbol struct {
	Addr   uint64
	Name   string
	Type   byte   // nm's letter: 'T' global text, 't' local text, 'D' data, ...
	Module string // "" for vmlinux
}

// KernelSymbols is the kernel's symbol table sorted by address, for
// address -> "name+off" (kstack, ksym) by binary search and name ->
// address (kaddr) by map. The kernel does not say how long a symbol is: an
// address belongs to the symbol at or below it.
type KernelSymbols struct {
	syms   []KernelSymbol
	byName map[string]uint64
}

var kernelSyms = struct {
	once sync.Once
	syms *KernelSymbols
	err  error
}{}

// LoadKernelSymbols reads /proc/kallsyms the first time it is called and
// returns the same table afterwards. When the kernel hides addresses from
// this process (kptr_restrict, or no root), every address reads as zero
// and the table is empty: lookups then fail and stacks print addresses.
func LoadKernelSymbols() (*KernelSymbols, error) {
	kernelSyms.once.Do(func() {
		f, err := os.Open("/proc/kallsyms")
		if err != nil {
			kernelSyms.err = err
			return
		}
		defer f.Close()
		kernelSyms.syms, kernelSyms.err = ParseKallsyms(f)
	})
	return kernelSyms.syms, kernelSyms.err
}

// ParseKallsyms parses the format of /proc/kallsyms:
//
//	ffffffff81000000 T _text
//	ffffffffc0a01000 t nft_do_chain	[nf_tables]
//
// Lines with a zero address (hidden) are left out.
func ParseKallsyms(r io.Reader) (*KernelSymbols, error) {
	k := &KernelSymbols{byName: map[string]uint64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		addr, rest, ok1 := strings.Cut(line, " ")
		typ, name, ok2 := strings.Cut(rest, " ")
		a, err := strconv.ParseUint(addr, 16, 64)
		if !ok1 || !ok2 || err != nil || len(typ) != 1 || name == "" {
			return nil, fmt.Errorf("kallsyms line %d: malformed: %q", n, line)
		}
		if a == 0 {
			continue
		}
		sym := KernelSymbol{Addr: a, Name: name, Type: typ[0]}
		if i := strings.IndexByte(name, '\t'); i >= 0 {
			sym.Name = name[:i]
			sym.Module = strings.Trim(name[i+1:], "[]")
		}
		k.syms = append(k.syms, sym)
		if _, dup := k.byName[sym.Name]; !dup {
			k.byName[sym.Name] = a
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(k.syms, func(a, b KernelSymbol) int { return cmp.Compare(a.Addr, b.Addr) })
	return k, nil
}

// Len returns the number of symbols.
func (k *KernelSymbols) Len() int { return len(k.syms) }

// Addr returns the address of the symbol called name (the first listed
// when several static functions share it), as kaddr() does.
func (k *KernelSymbols) Addr(name string) (uint64, bool) {
	a, ok := k.byName[name]
	return a, ok
}

// Symbolize returns the symbol at or below addr and addr's offset into it.
// Of several symbols at one address the last listed wins, as in bcc and
// bpftrace ("_text" rather than "_stext").
func (k *KernelSymbols) Symbolize(addr uint64) (KernelSymbol, uint64, bool) {
	i, _ := slices.BinarySearchFunc(k.syms, addr+1, func(s KernelSymbol, a uint64) int { return cmp.Compare(s.Addr, a) })
	if i == 0 {
		return KernelSymbol{}, 0, false
	}
	s := k.syms[i-1]
	return s, addr - s.Addr, true
}
