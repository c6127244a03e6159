package runtime

import (
	"debug/elf"
	"fmt"
	"strconv"
	"strings"
)

// USDTArgKind says where a USDT argument's value is.
type USDTArgKind uint8

const (
	USDTArgConst  USDTArgKind = iota // the constant Value ("8@$5")
	USDTArgReg                       // the value of register Reg ("-4@%edi")
	USDTArgMem                       // memory at Reg + Offset [+ Index*Scale] ("8@-16(%rbp)")
	USDTArgGlobal                    // memory at the file's virtual address Addr, plus the load bias ("4@counter+4(%rip)")
)

// USDTArg is the location of one USDT argument, in the form code generation
// lowers to loads from the probe context (struct pt_regs):
//
//	USDTArgConst   v = Value
//	USDTArgReg     v = *(u64 *)(ctx + Reg.Offset) >> Reg.Shift
//	USDTArgMem     a = *(u64 *)(ctx + Reg.Offset) + Offset
//	               [+ *(u64 *)(ctx + Index.Offset) * Scale];  v = user memory at a, Size bytes
//	USDTArgGlobal  a = Addr + (*(u64 *)(ctx + Reg.Offset) - probe.PC);  v = user memory at a, Size bytes
//
// then v is truncated to Size bytes and sign-extended when Signed. (For
// USDTArgGlobal the load bias is the probe's run-time address, which the
// kernel leaves in the instruction pointer, minus its address in the file.)
type USDTArg struct {
	Kind   USDTArgKind
	Size   int  // 1, 2, 4 or 8 bytes
	Signed bool // a negative size in the spec ("-4@...")
	Value  int64
	Reg    USDTReg // USDTArgGlobal: the instruction pointer
	Offset int64
	Index  USDTReg // Index.Name == "" when there is none
	Scale  int64
	Symbol string // USDTArgGlobal: the symbol the address is relative to
	Addr   uint64 // USDTArgGlobal: Symbol's address plus Offset, once the file's symbols resolve it
	Spec   string // this argument's text
}

// USDTReg is a register as the kernel saves it in struct pt_regs.
type USDTReg struct {
	Name   string // the pt_regs field: "di", "r8", "bp", "ip" (x86-64); "x0", "sp" (arm64)
	Offset int    // byte offset of the field in struct pt_regs
	Shift  uint8  // 8 for x86's high-byte registers (%ah ...), else 0
}

// x86-64's struct pt_regs, in field order, 8 bytes each.
var x86PtRegs = []string{"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8",
	"ax", "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss"}

// x86Regs maps every x86-64 register name an SDT argument may use (all
// widths) to its pt_regs field.
var x86Regs = func() map[string]USDTReg {
	off := map[string]int{}
	for i, f := range x86PtRegs {
		off[f] = 8 * i
	}
	m := map[string]USDTReg{}
	add := func(name, field string, shift uint8) {
		m[name] = USDTReg{Name: field, Offset: off[field], Shift: shift}
	}
	for _, r := range []string{"ax", "bx", "cx", "dx"} {
		add("r"+r, r, 0)
		add("e"+r, r, 0)
		add(r, r, 0)
		add(r[:1]+"l", r, 0)
		add(r[:1]+"h", r, 8)
	}
	for _, r := range []string{"si", "di", "bp", "sp"} {
		add("r"+r, r, 0)
		add("e"+r, r, 0)
		add(r, r, 0)
		add(r+"l", r, 0)
	}
	for i := 8; i <= 15; i++ {
		r := "r" + strconv.Itoa(i)
		for _, suffix := range []string{"", "d", "w", "b"} {
			add(r+suffix, r, 0)
		}
	}
	add("rip", "ip", 0)
	return m
}()

// arm64Reg returns the pt_regs field of an arm64 register: x0-x30 (or
// w0-w30) at 8*N, sp at 248, pc at 256.
func arm64Reg(name string) (USDTReg, bool) {
	switch name {
	case "sp":
		return USDTReg{Name: "sp", Offset: 248}, true
	case "pc":
		return USDTReg{Name: "pc", Offset: 256}, true
	}
	if len(name) < 2 || name[0] != 'x' && name[0] != 'w' {
		return USDTReg{}, false
	}
	n, err := strconv.Atoi(name[1:])
	if err != nil || n < 0 || n > 30 {
		return USDTReg{}, false
	}
	return USDTReg{Name: "x" + strconv.Itoa(n), Offset: 8 * n}, true
}

// ParseUSDTArgs parses the argument text of an SDT note, space-separated
// "size@location" items, for the machine the file is built for (x86-64
// AT&T syntax or arm64, whose "[sp, 16]" has a space inside brackets).
func ParseUSDTArgs(spec string, machine elf.Machine) ([]USDTArg, error) {
	var args []USDTArg
	for _, item := range splitUSDTArgs(spec) {
		a, err := parseUSDTArg(item, machine)
		if err != nil {
			return nil, fmt.Errorf("USDT argument %d %q: %w", len(args), item, err)
		}
		args = append(args, a)
	}
	return args, nil
}

// splitUSDTArgs splits an argument text at the spaces outside brackets.
func splitUSDTArgs(spec string) []string {
	var items []string
	depth, start := 0, -1
	for i, c := range spec + " " {
		switch {
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == ' ' || c == '\t':
			if depth > 0 {
				continue
			}
			if start >= 0 {
				items = append(items, spec[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	return items
}

func parseUSDTArg(item string, machine elf.Machine) (USDTArg, error) {
	a := USDTArg{Spec: item, Size: 8}
	loc := item
	if size, rest, ok := strings.Cut(item, "@"); ok {
		n, err := strconv.Atoi(size)
		if err != nil {
			return a, fmt.Errorf("bad size %q", size)
		}
		a.Signed = n < 0
		a.Size = max(n, -n)
		if a.Size != 1 && a.Size != 2 && a.Size != 4 && a.Size != 8 {
			return a, fmt.Errorf("size %d is not 1, 2, 4 or 8", a.Size)
		}
		loc = rest
	}
	switch machine {
	case elf.EM_X86_64:
		return a, parseX86Loc(&a, loc)
	case elf.EM_AARCH64:
		return a, parseARM64Loc(&a, loc)
	}
	return a, fmt.Errorf("USDT arguments of %s binaries are not supported", machine)
}

// parseX86Loc parses an AT&T operand: %reg, $imm, disp(%base),
// disp(%base,%index,scale) or symbol[+-disp](%rip).
func parseX86Loc(a *USDTArg, loc string) error {
	reg := func(s string) (USDTReg, error) {
		r, ok := x86Regs[strings.TrimPrefix(s, "%")]
		if !ok || !strings.HasPrefix(s, "%") {
			return USDTReg{}, fmt.Errorf("unknown register %q", s)
		}
		return r, nil
	}
	switch {
	case strings.HasPrefix(loc, "$"):
		v, err := strconv.ParseInt(loc[1:], 0, 64)
		if err != nil {
			return fmt.Errorf("bad constant %q", loc)
		}
		a.Kind, a.Value = USDTArgConst, v
		return nil
	case strings.HasPrefix(loc, "%"):
		r, err := reg(loc)
		a.Kind, a.Reg = USDTArgReg, r
		return err
	}
	open := strings.IndexByte(loc, '(')
	if open < 0 || !strings.HasSuffix(loc, ")") {
		return fmt.Errorf("unknown operand %q", loc)
	}
	disp, inner := loc[:open], strings.Split(loc[open+1:len(loc)-1], ",")
	base, err := reg(inner[0])
	if err != nil {
		return err
	}
	if base.Name == "ip" {
		sym, off, err := splitSymbolDisp(disp)
		if err != nil {
			return err
		}
		if len(inner) != 1 || sym == "" {
			return fmt.Errorf("unsupported %%rip operand %q", loc)
		}
		a.Kind, a.Reg, a.Symbol, a.Offset = USDTArgGlobal, base, sym, off
		return nil
	}
	a.Kind, a.Reg = USDTArgMem, base
	if disp != "" {
		if a.Offset, err = strconv.ParseInt(disp, 0, 64); err != nil {
			return fmt.Errorf("bad displacement %q", disp)
		}
	}
	switch len(inner) {
	case 1:
	case 2, 3:
		if a.Index, err = reg(inner[1]); err != nil {
			return err
		}
		a.Scale = 1
		if len(inner) == 3 {
			if a.Scale, err = strconv.ParseInt(inner[2], 10, 64); err != nil || a.Scale&(a.Scale-1) != 0 || a.Scale > 8 || a.Scale < 1 {
				return fmt.Errorf("bad scale %q", inner[2])
			}
		}
	default:
		return fmt.Errorf("unknown operand %q", loc)
	}
	return nil
}

// splitSymbolDisp splits "counter+4" or "counter-8" or "counter" into the
// symbol and the displacement.
func splitSymbolDisp(s string) (string, int64, error) {
	i := strings.LastIndexAny(s, "+-")
	if i <= 0 {
		return s, 0, nil
	}
	off, err := strconv.ParseInt(s[i:], 0, 64)
	if err != nil {
		return "", 0, fmt.Errorf("bad displacement in %q", s)
	}
	return s[:i], off, nil
}

// parseARM64Loc parses an arm64 operand: xN/wN/sp, a constant (bare
// integer), or [reg] / [reg, off].
func parseARM64Loc(a *USDTArg, loc string) error {
	if r, ok := arm64Reg(loc); ok {
		a.Kind, a.Reg = USDTArgReg, r
		return nil
	}
	if v, err := strconv.ParseInt(strings.TrimPrefix(loc, "#"), 0, 64); err == nil {
		a.Kind, a.Value = USDTArgConst, v
		return nil
	}
	if !strings.HasPrefix(loc, "[") || !strings.HasSuffix(loc, "]") {
		return fmt.Errorf("unknown operand %q", loc)
	}
	base, off, _ := strings.Cut(loc[1:len(loc)-1], ",")
	r, ok := arm64Reg(strings.TrimSpace(base))
	if !ok {
		return fmt.Errorf("unknown register %q", base)
	}
	a.Kind, a.Reg = USDTArgMem, r
	if off = strings.TrimPrefix(strings.TrimSpace(off), "#"); off != "" {
		v, err := strconv.ParseInt(off, 0, 64)
		if err != nil {
			return fmt.Errorf("bad offset %q", off)
		}
		a.Offset = v
	}
	return nil
}
