package runtime

import (
	"cmp"
	"debug/elf"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ianlancetaylor/demangle"
)

// ELFSymbol is one defined function or data symbol of an ELF file. Addr is
// the symbol's virtual address as the file states it (st_value); uprobes
// want the file offset, which FileOffset computes.
type ELFSymbol struct {
	Name string // as stored: C++ names are mangled (Demangle them to print)
	Addr uint64
	Size uint64
	Func bool // STT_FUNC or STT_GNU_IFUNC (code), rather than data
	bind elf.SymBind
}

// ELFSymbols are the symbols of one executable or shared library, from
// both .symtab and .dynsym, with its loadable segments so that virtual
// addresses and file offsets convert into each other. They are read once
// per file version (see OpenELFSymbols) and are safe for concurrent use.
type ELFSymbols struct {
	Path string
	Type elf.Type // ET_EXEC for a fixed-address executable, ET_DYN for a PIE or library

	syms   []ELFSymbol      // sorted by Addr, then by preference for printing
	byName map[string]int   // index into syms of each name's best symbol
	loads  []elf.ProgHeader // PT_LOAD segments
}

var elfCache fileCache[*ELFSymbols]

// OpenELFSymbols reads the symbol tables of the ELF file at path, or
// returns them from the cache when this version of the file (device, inode,
// modification time and size) was read before. A file with no symbol table
// at all (fully stripped) is not an error: it has no symbols.
func OpenELFSymbols(path string) (*ELFSymbols, error) {
	return elfCache.get(path, readELFSymbols)
}

func readELFSymbols(path string) (*ELFSymbols, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading symbols of %s: %w", path, err)
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return nil, fmt.Errorf("reading symbols of %s: not an executable or shared library (%s)", path, f.Type)
	}
	s := &ELFSymbols{Path: path, Type: f.Type, byName: map[string]int{}}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			s.loads = append(s.loads, p.ProgHeader)
		}
	}
	for _, read := range []func() ([]elf.Symbol, error){f.Symbols, f.DynamicSymbols} {
		syms, err := read()
		if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
			return nil, fmt.Errorf("reading symbols of %s: %w", path, err)
		}
		for _, sym := range syms {
			typ := elf.ST_TYPE(sym.Info)
			isFunc := typ == elf.STT_FUNC || typ == elf.STT_GNU_IFUNC
			if sym.Name == "" || sym.Section == elf.SHN_UNDEF || sym.Value == 0 || !isFunc && typ != elf.STT_OBJECT {
				continue
			}
			s.syms = append(s.syms, ELFSymbol{Name: sym.Name, Addr: sym.Value, Size: sym.Size, Func: isFunc, bind: elf.ST_BIND(sym.Info)})
		}
	}
	slices.SortFunc(s.syms, func(a, b ELFSymbol) int {
		return cmp.Or(cmp.Compare(a.Addr, b.Addr), preferSymbol(a, b), strings.Compare(a.Name, b.Name))
	})
	// The same symbol is usually in both tables: keep one copy.
	s.syms = slices.CompactFunc(s.syms, func(a, b ELFSymbol) bool { return a.Name == b.Name && a.Addr == b.Addr })
	for i, sym := range s.syms {
		if j, ok := s.byName[sym.Name]; !ok || preferSymbol(sym, s.syms[j]) < 0 {
			s.byName[sym.Name] = i
		}
	}
	return s, nil
}

// preferSymbol orders two symbols by which should name an address: code
// before data, then global before weak before local, then larger first.
func preferSymbol(a, b ELFSymbol) int {
	rank := func(s ELFSymbol) int {
		r := 0
		if !s.Func {
			r += 4
		}
		switch s.bind {
		case elf.STB_WEAK:
			r++
		case elf.STB_LOCAL:
			r += 2
		}
		return r
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(b.Size, a.Size))
}

// Len returns the number of symbols.
func (s *ELFSymbols) Len() int { return len(s.syms) }

// Lookup returns the symbol called name (as stored, i.e. mangled).
func (s *ELFSymbols) Lookup(name string) (ELFSymbol, bool) {
	i, ok := s.byName[name]
	if !ok {
		return ELFSymbol{}, false
	}
	return s.syms[i], true
}

// MatchFuncs returns the function symbols whose names match pattern, where
// '*' matches any run of characters and '?' one, sorted by name, one per
// name. A pattern without wildcards matches at most one symbol.
func (s *ELFSymbols) MatchFuncs(pattern string) []ELFSymbol {
	var out []ELFSymbol
	for name, i := range s.byName {
		if s.syms[i].Func && globMatch(pattern, name) {
			out = append(out, s.syms[i])
		}
	}
	slices.SortFunc(out, func(a, b ELFSymbol) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Symbolize finds the symbol containing the virtual address addr and
// returns it with addr's offset into it. A symbol of unknown size (0)
// contains only its own address.
func (s *ELFSymbols) Symbolize(addr uint64) (ELFSymbol, uint64, bool) {
	// The last symbol starting at or before addr, then its predecessors,
	// since a small symbol may sit inside a larger one that contains addr.
	i, _ := slices.BinarySearchFunc(s.syms, addr+1, func(sym ELFSymbol, a uint64) int { return cmp.Compare(sym.Addr, a) })
	for j := i - 1; j >= 0 && j >= i-64; j-- {
		sym := s.syms[j]
		if addr < sym.Addr+max(sym.Size, 1) {
			// Aliases share an address: the first is the preferred one.
			for j > 0 && s.syms[j-1].Addr == sym.Addr && addr < s.syms[j-1].Addr+max(s.syms[j-1].Size, 1) {
				j--
			}
			return s.syms[j], addr - s.syms[j].Addr, true
		}
	}
	return ELFSymbol{}, 0, false
}

// FileOffset converts a virtual address of the file into the offset in the
// file of the byte loaded there, as uprobes and semaphore counters need.
func (s *ELFSymbols) FileOffset(vaddr uint64) (uint64, error) {
	for _, p := range s.loads {
		if vaddr >= p.Vaddr && vaddr < p.Vaddr+p.Filesz {
			return vaddr - p.Vaddr + p.Off, nil
		}
	}
	return 0, fmt.Errorf("%s: address %#x is in no loadable segment", s.Path, vaddr)
}

// VirtAddr converts an offset in the file into the virtual address the file
// loads it at (the inverse of FileOffset), reporting false for an offset
// outside every loadable segment.
func (s *ELFSymbols) VirtAddr(off uint64) (uint64, bool) {
	for _, p := range s.loads {
		if off >= p.Off && off < p.Off+p.Filesz {
			return off - p.Off + p.Vaddr, true
		}
	}
	return 0, false
}

// Demangle returns the readable form of a C++ (Itanium ABI) or Rust
// symbol name, and any other name unchanged.
func Demangle(name string) string {
	if !strings.HasPrefix(name, "_Z") && !strings.HasPrefix(name, "_R") {
		return name
	}
	return demangle.Filter(name)
}

// SymOffset formats a symbol with an offset as stacks print it: "name+off",
// the name demangled.
func SymOffset(name string, off uint64) string {
	return Demangle(name) + "+" + strconv.FormatUint(off, 10)
}
