package runtime

import (
	"debug/dwarf"
	"debug/elf"
	"errors"
	"fmt"
	"strings"

	"github.com/gbt-project/gbt/codegen"
)

// This file reads the parameters of user-space functions from an ELF
// file's DWARF debug information, for args in uprobes and for listing
// probes with -lv. A file is indexed once per version (as OpenELFSymbols
// caches symbols): one pass over its debug entries maps each defined
// function's name to its entry, and a function's parameters are decoded
// from there when asked for.

// ErrNoDebugInfo is wrapped by the errors of ReadFuncParams for a file or
// function that has no DWARF debug information.
var ErrNoDebugInfo = errors.New("no debug information")

// dwarfIndex is the debug information of one file: its DWARF data (nil
// when it has none) and the entry of each function defined in it, by
// name and by linkage (mangled) name.
type dwarfIndex struct {
	data  *dwarf.Data
	funcs map[string]dwarf.Offset
	goABI map[dwarf.Offset]bool // functions compiled by Go, which has a calling convention of its own
}

// dwarfLangGo is DW_LANG_Go.
const dwarfLangGo = 0x16

var dwarfCache fileCache[*dwarfIndex]

// ReadFuncParams returns the formal parameters of function fn of the ELF
// file at path, in declaration order, from the file's DWARF debug
// information. A file without DWARF, or without an entry for fn, is an
// error wrapping ErrNoDebugInfo.
func ReadFuncParams(path, fn string) ([]codegen.FuncParam, error) {
	ix, err := openDWARF(path)
	if err != nil {
		return nil, err
	}
	if ix.data == nil {
		return nil, fmt.Errorf("%s has %w (DWARF)", path, ErrNoDebugInfo)
	}
	off, ok := ix.funcs[fn]
	if !ok {
		return nil, fmt.Errorf("%s has %w (DWARF) for function %s", path, ErrNoDebugInfo, fn)
	}
	if ix.goABI[off] {
		return nil, fmt.Errorf("%s is Go code in %s, whose register calling convention args does not follow (it reads parameters as C passes them); reg() reads the registers", fn, path)
	}
	params, err := ix.params(off)
	if err != nil {
		return nil, fmt.Errorf("reading the parameters of %s in %s: %w", fn, path, err)
	}
	return params, nil
}

// openDWARF returns the debug index of the file at path, from the cache
// when this version of the file was indexed before.
func openDWARF(path string) (*dwarfIndex, error) {
	return dwarfCache.get(path, indexDWARF)
}

// indexDWARF reads the debug information of the file at path. A file with
// no .debug_info section is indexed as having none.
func indexDWARF(path string) (*dwarfIndex, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading debug information of %s: %w", path, err)
	}
	defer f.Close()
	ix := &dwarfIndex{funcs: map[string]dwarf.Offset{}, goABI: map[dwarf.Offset]bool{}}
	if f.Section(".debug_info") == nil && f.Section(".zdebug_info") == nil {
		return ix, nil
	}
	d, err := f.DWARF()
	if err != nil {
		return nil, fmt.Errorf("reading debug information of %s: %w", path, err)
	}
	ix.data = d
	// A function's best entry is its out-of-line definition (it has
	// code: a low pc); an abstract entry of an inlined function, which
	// also names the parameters, serves when there is none.
	hasCode := map[dwarf.Offset]bool{}
	goUnit := false
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			return nil, fmt.Errorf("reading debug information of %s: %w", path, err)
		}
		if e == nil {
			break
		}
		if e.Tag == dwarf.TagCompileUnit {
			lang, _ := e.Val(dwarf.AttrLanguage).(int64)
			goUnit = lang == dwarfLangGo
		}
		if e.Tag != dwarf.TagSubprogram {
			continue
		}
		if decl, _ := e.Val(dwarf.AttrDeclaration).(bool); decl {
			continue
		}
		code := e.Val(dwarf.AttrLowpc) != nil
		for _, name := range ix.entryNames(e) {
			if old, ok := ix.funcs[name]; !ok || code && !hasCode[old] {
				ix.funcs[name] = e.Offset
			}
		}
		hasCode[e.Offset] = code
		if goUnit {
			ix.goABI[e.Offset] = true
		}
	}
	return ix, nil
}

// entryNames are the names of a function's entry: its name and linkage
// name, its own or those of the declaration it completes (a C++ method
// defined outside its class).
func (ix *dwarfIndex) entryNames(e *dwarf.Entry) []string {
	var names []string
	for _, a := range []dwarf.Attr{dwarf.AttrName, dwarf.AttrLinkageName} {
		if s, ok := e.Val(a).(string); ok && s != "" {
			names = append(names, s)
		}
	}
	if len(names) > 0 {
		return names
	}
	if spec, ok := e.Val(dwarf.AttrSpecification).(dwarf.Offset); ok {
		if d := ix.entryAt(spec); d != nil {
			return ix.entryNames(d)
		}
	}
	return nil
}

// entryAt reads the entry at off, or nil.
func (ix *dwarfIndex) entryAt(off dwarf.Offset) *dwarf.Entry {
	r := ix.data.Reader()
	r.Seek(off)
	e, err := r.Next()
	if err != nil {
		return nil
	}
	return e
}

// params decodes the formal parameters of the function entry at off.
func (ix *dwarfIndex) params(off dwarf.Offset) ([]codegen.FuncParam, error) {
	r := ix.data.Reader()
	r.Seek(off)
	fn, err := r.Next()
	if err != nil || fn == nil {
		return nil, fmt.Errorf("bad function entry: %v", err)
	}
	out := []codegen.FuncParam{}
	if !fn.Children {
		return out, nil
	}
	for {
		e, err := r.Next()
		if err != nil {
			return nil, err
		}
		if e == nil || e.Tag == 0 {
			return out, nil
		}
		if e.Tag != dwarf.TagFormalParameter {
			if e.Children {
				r.SkipChildren()
			}
			continue
		}
		p, err := ix.param(e)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
}

// param decodes one formal parameter, whose name and type may be those of
// the abstract entry it is an instance of.
func (ix *dwarfIndex) param(e *dwarf.Entry) (codegen.FuncParam, error) {
	if origin, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok && e.Val(dwarf.AttrType) == nil {
		if o := ix.entryAt(origin); o != nil {
			e = o
		}
	}
	name, _ := e.Val(dwarf.AttrName).(string)
	toff, ok := e.Val(dwarf.AttrType).(dwarf.Offset)
	if !ok {
		return codegen.FuncParam{}, fmt.Errorf("parameter %q has no type", name)
	}
	t, err := ix.data.Type(toff)
	if err != nil {
		return codegen.FuncParam{Name: name, CType: "?", Kind: codegen.ParamOther}, nil
	}
	p := paramOfType(t)
	p.Name = name
	return p, nil
}

// paramOfType classifies a parameter's type, looking through typedefs and
// qualifiers.
func paramOfType(declared dwarf.Type) codegen.FuncParam {
	p := codegen.FuncParam{CType: dwarfCType(declared), Kind: codegen.ParamOther}
	t := declared
	for {
		switch x := t.(type) {
		case *dwarf.TypedefType:
			t = x.Type
			continue
		case *dwarf.QualType:
			t = x.Type
			continue
		}
		break
	}
	p.Size = int(t.Size())
	switch x := t.(type) {
	case *dwarf.IntType, *dwarf.CharType:
		p.Kind, p.Signed = codegen.ParamInt, true
	case *dwarf.UintType, *dwarf.UcharType, *dwarf.BoolType:
		p.Kind = codegen.ParamInt
	case *dwarf.EnumType:
		p.Kind = codegen.ParamInt
		for _, v := range x.Val {
			p.Signed = p.Signed || v.Val < 0
		}
	case *dwarf.PtrType:
		p.Kind, p.Size = codegen.ParamPointer, 8
	case *dwarf.FloatType, *dwarf.ComplexType:
		p.Kind = codegen.ParamFloat
	case *dwarf.StructType:
		p.Kind = codegen.ParamRecord
	}
	return p
}

// dwarfCType spells a type as C declares it ("const char *", "char **",
// "int (*)(int)"), where the dwarf package's String uses Go's order.
func dwarfCType(t dwarf.Type) string {
	switch x := t.(type) {
	case *dwarf.PtrType:
		if fn, ok := x.Type.(*dwarf.FuncType); ok {
			params := make([]string, len(fn.ParamType))
			for i, pt := range fn.ParamType {
				params[i] = dwarfCType(pt)
			}
			return dwarfCType(fn.ReturnType) + " (*)(" + strings.Join(params, ", ") + ")"
		}
		elem := dwarfCType(x.Type)
		if strings.HasSuffix(elem, "*") {
			return elem + "*"
		}
		return elem + " *"
	case *dwarf.QualType:
		if _, ok := x.Type.(*dwarf.PtrType); ok {
			return dwarfCType(x.Type) + " " + x.Qual
		}
		return x.Qual + " " + dwarfCType(x.Type)
	case *dwarf.TypedefType:
		return x.Name
	case *dwarf.StructType:
		if x.StructName == "" {
			return x.Kind + " <anonymous>"
		}
		return x.Kind + " " + x.StructName
	case *dwarf.EnumType:
		if x.EnumName == "" {
			return "enum <anonymous>"
		}
		return "enum " + x.EnumName
	case *dwarf.VoidType:
		return "void"
	case nil:
		return "void"
	}
	return t.String()
}
