package runtime

import (
	"fmt"

	"github.com/gbt-project/gbt/codegen"
)

// HostUserInfo returns the codegen.UserInfo of this host: binaries and
// libraries are found as ResolveBinaryIn finds them for process pid (0: no
// particular process), function symbols come from their ELF symbol tables,
// USDT probes from their SDT notes and function parameters from their
// DWARF debug information.
func HostUserInfo(pid int) codegen.UserInfo { return hostUser{pid: pid} }

type hostUser struct{ pid int }

func (h hostUser) Path(binary string) (string, error) { return ResolveBinaryIn(binary, h.pid) }

func (h hostUser) MatchFuncs(binary, pattern string) ([]string, error) {
	path, err := ResolveBinaryIn(binary, h.pid)
	if err != nil {
		return nil, err
	}
	syms, err := OpenELFSymbols(path)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range syms.MatchFuncs(pattern) {
		names = append(names, s.Name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no function of %s matches %q", path, pattern)
	}
	return names, nil
}

func (h hostUser) USDT(binary, pattern string) ([]codegen.USDTProbe, error) {
	path, err := ResolveBinaryIn(binary, h.pid)
	if err != nil {
		return nil, err
	}
	all, err := ReadUSDTProbes(path)
	if err != nil {
		return nil, err
	}
	probes := MatchUSDT(all, pattern)
	if len(probes) == 0 {
		return nil, fmt.Errorf("no USDT probe of %s matches %q", path, pattern)
	}
	out := make([]codegen.USDTProbe, len(probes))
	for i, p := range probes {
		out[i] = codegen.USDTProbe{Provider: p.Provider, Name: p.Name, PC: p.PC}
		if p.ArgErr != nil {
			out[i].ArgErr = p.ArgErr.Error()
			continue
		}
		for _, a := range p.Args {
			out[i].Args = append(out[i].Args, codegenUSDTArg(a))
		}
	}
	return out, nil
}

// FuncParams reads the parameters of binary's function fn from the
// binary's DWARF debug information (ReadFuncParams).
func (h hostUser) FuncParams(binary, fn string) ([]codegen.FuncParam, error) {
	path, err := ResolveBinaryIn(binary, h.pid)
	if err != nil {
		return nil, err
	}
	return ReadFuncParams(path, fn)
}

// codegenUSDTArg translates an argument location into codegen's form.
func codegenUSDTArg(a USDTArg) codegen.USDTArg {
	c := codegen.USDTArg{Size: a.Size, Signed: a.Signed, Value: a.Value, Reg: int16(a.Reg.Offset),
		Shift: a.Reg.Shift, Offset: a.Offset, Index: -1, Scale: a.Scale, Addr: a.Addr}
	switch a.Kind {
	case USDTArgConst:
		c.Kind = codegen.USDTConst
	case USDTArgReg:
		c.Kind = codegen.USDTReg
	case USDTArgMem:
		c.Kind = codegen.USDTMem
		if a.Index.Name != "" {
			c.Index = int16(a.Index.Offset)
		}
	case USDTArgGlobal:
		c.Kind = codegen.USDTGlobal
	}
	return c
}
