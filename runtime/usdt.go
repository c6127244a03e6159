package runtime

import (
	"bytes"
	"cmp"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// USDTProbe is one location of a USDT (statically defined tracing) probe,
// as a SystemTap SDT note in the ELF section .note.stapsdt describes it. A
// probe written once in the source may have several locations (inlining,
// several call sites), each with its own argument locations, so the code
// that reads arguments is per location.
type USDTProbe struct {
	Provider, Name string
	// PC is the virtual address of the probe's nop in the file, Semaphore
	// that of its semaphore (0: none), both already adjusted for prelink
	// as the note's base address and the .stapsdt.base section say.
	PC, Semaphore uint64
	// ArgSpec is the note's argument text ("-4@%edi 8@-16(%rbp) 8@$5"),
	// Args its parse and ArgErr why it did not parse (the probe still
	// attaches; only reading its arguments fails).
	ArgSpec string
	Args    []USDTArg
	ArgErr  error
}

// String names the probe location as bpftrace lists it: "provider:name".
func (p USDTProbe) String() string { return p.Provider + ":" + p.Name }

// The SDT note: owner "stapsdt", type 3, and a descriptor of three
// addresses (pc, base, semaphore) followed by three NUL-terminated strings
// (provider, name, arguments).
const (
	sdtNoteOwner = "stapsdt"
	sdtNoteType  = 3
	sdtNoteSect  = ".note.stapsdt"
	sdtBaseSect  = ".stapsdt.base"
)

// ReadUSDTProbes returns every USDT probe location of the ELF file at path,
// sorted by provider, name and address. A file without SDT notes has none.
func ReadUSDTProbes(path string) ([]USDTProbe, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading USDT probes of %s: %w", path, err)
	}
	defer f.Close()
	probes, err := readUSDT(f)
	if err != nil {
		return nil, fmt.Errorf("reading USDT probes of %s: %w", path, err)
	}
	return probes, nil
}

func readUSDT(f *elf.File) ([]USDTProbe, error) {
	sec := f.Section(sdtNoteSect)
	if sec == nil {
		return nil, nil
	}
	data, err := sec.Data()
	if err != nil {
		return nil, err
	}
	addrSize := 8
	if f.Class == elf.ELFCLASS32 {
		addrSize = 4
	}
	var baseSect uint64
	hasBase := false
	if b := f.Section(sdtBaseSect); b != nil {
		baseSect, hasBase = b.Addr, true
	}
	var probes []USDTProbe
	var globals map[string]uint64
	r := bytes.NewReader(data)
	for r.Len() > 0 {
		owner, typ, desc, err := readNote(r, f.ByteOrder)
		if err != nil {
			return nil, err
		}
		if owner != sdtNoteOwner || typ != sdtNoteType {
			continue
		}
		p, err := parseSDTNote(desc, addrSize, f.ByteOrder)
		if err != nil {
			return nil, err
		}
		if hasBase {
			// Prelink moved the file after the note was written: shift
			// the addresses by as much as the base section moved.
			adjust := baseSect - p.base
			p.PC += adjust
			if p.Semaphore != 0 {
				p.Semaphore += adjust
			}
		}
		p.Args, p.ArgErr = ParseUSDTArgs(p.ArgSpec, f.Machine)
		if p.ArgErr == nil {
			p.ArgErr = resolveGlobals(f, p.Args, &globals)
		}
		probes = append(probes, p.USDTProbe)
	}
	slices.SortFunc(probes, func(a, b USDTProbe) int {
		return cmp.Or(strings.Compare(a.Provider, b.Provider), strings.Compare(a.Name, b.Name), cmp.Compare(a.PC, b.PC))
	})
	return probes, nil
}

// resolveGlobals sets the address of the USDTArgGlobal arguments of args
// from the file's symbols, which it reads into *globals on first need.
func resolveGlobals(f *elf.File, args []USDTArg, globals *map[string]uint64) error {
	for i, a := range args {
		if a.Kind != USDTArgGlobal {
			continue
		}
		if *globals == nil {
			*globals = map[string]uint64{}
			for _, read := range []func() ([]elf.Symbol, error){f.Symbols, f.DynamicSymbols} {
				syms, _ := read()
				for _, s := range syms {
					if s.Section != elf.SHN_UNDEF && s.Value != 0 {
						(*globals)[s.Name] = s.Value
					}
				}
			}
		}
		addr, ok := (*globals)[a.Symbol]
		if !ok {
			return fmt.Errorf("USDT argument %d %q: no symbol %q in the file", i, a.Spec, a.Symbol)
		}
		args[i].Addr = addr + uint64(a.Offset)
	}
	return nil
}

// readNote reads one ELF note: namesz, descsz and type as 32-bit words,
// then the name and the descriptor, each padded to 4 bytes.
func readNote(r *bytes.Reader, order binary.ByteOrder) (string, uint32, []byte, error) {
	var hdr [3]uint32
	if err := binary.Read(r, order, &hdr); err != nil {
		return "", 0, nil, fmt.Errorf("truncated note header: %w", err)
	}
	name := make([]byte, (hdr[0]+3)&^3)
	desc := make([]byte, (hdr[1]+3)&^3)
	if uint64(len(name))+uint64(len(desc)) > uint64(r.Len()) {
		return "", 0, nil, errors.New("note larger than its section")
	}
	io.ReadFull(r, name)
	io.ReadFull(r, desc)
	return string(bytes.TrimRight(name[:hdr[0]], "\x00")), hdr[2], desc[:hdr[1]], nil
}

type sdtNote struct {
	USDTProbe
	base uint64
}

func parseSDTNote(desc []byte, addrSize int, order binary.ByteOrder) (sdtNote, error) {
	var n sdtNote
	if len(desc) < 3*addrSize {
		return n, errors.New("stapsdt note too short")
	}
	addr := func(i int) uint64 {
		if addrSize == 4 {
			return uint64(order.Uint32(desc[i*4:]))
		}
		return order.Uint64(desc[i*8:])
	}
	n.PC, n.base, n.Semaphore = addr(0), addr(1), addr(2)
	strs := bytes.SplitN(desc[3*addrSize:], []byte{0}, 4)
	if len(strs) < 4 {
		return n, errors.New("stapsdt note: provider, name or arguments missing")
	}
	n.Provider, n.Name, n.ArgSpec = string(strs[0]), string(strs[1]), string(strs[2])
	return n, nil
}

// MatchUSDT returns the probe locations of probes (sorted) that a probe
// pattern names: "provider:name" or just "name" (any provider), '*' and
// '?' being wildcards in either part.
func MatchUSDT(probes []USDTProbe, pattern string) []USDTProbe {
	provider, name, ok := strings.Cut(pattern, ":")
	if !ok {
		provider, name = "*", pattern
	}
	var out []USDTProbe
	for _, p := range probes {
		if globMatch(provider, p.Provider) && globMatch(name, p.Name) {
			out = append(out, p)
		}
	}
	return out
}

// AttachUSDT attaches a Kprobe-type program to the location p of a USDT
// probe in the binary at path (limited to process pid unless 0). When the
// probe has a semaphore, the kernel increments it in every process that
// maps the binary while the probe is attached, and decrements it after.
func AttachUSDT(prog *ebpf.Program, path string, p USDTProbe, pid int) (link.Link, error) {
	syms, err := OpenELFSymbols(path)
	if err != nil {
		return nil, err
	}
	off, err := syms.FileOffset(p.PC)
	if err != nil {
		return nil, fmt.Errorf("usdt:%s:%s: %w", path, p, err)
	}
	var refCtr uint64
	if p.Semaphore != 0 {
		if refCtr, err = syms.FileOffset(p.Semaphore); err != nil {
			return nil, fmt.Errorf("usdt:%s:%s semaphore: %w", path, p, err)
		}
	}
	l, err := attachUprobeAt(prog, path, off, false, pid, refCtr)
	if err != nil {
		return nil, fmt.Errorf("usdt:%s:%s: %w", path, p, err)
	}
	return l, nil
}
