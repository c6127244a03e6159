package runtime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// This file finds raw tracepoints (and, where the kernel can attach them,
// fentry targets) by name in the kernel's BTF. A raw tracepoint "x" shows
// itself as the typedef btf_trace_x; a function as a FUNC. Decoding every
// type with cilium/ebpf takes most of a second for vmlinux, so listing
// walks the raw type section instead, looking only at each type's kind and
// name; the few types a verbose listing describes are then decoded properly.

// btfKernelDir holds vmlinux's BTF and one file of split BTF per module.
const btfKernelDir = "/sys/kernel/btf"

// BTF kinds whose records have trailing data (see the kernel's btf.rst).
const (
	btfKindInt       = 1
	btfKindArray     = 3
	btfKindStruct    = 4
	btfKindUnion     = 5
	btfKindEnum      = 6
	btfKindTypedef   = 8
	btfKindFunc      = 12
	btfKindFuncProto = 13
	btfKindVar       = 14
	btfKindDatasec   = 15
	btfKindDeclTag   = 17
	btfKindEnum64    = 19
)

// btfBlob is the type and string sections of one BTF file. A module's
// file is split BTF: its string offsets continue vmlinux's, so a name
// offset below len(base) is in vmlinux's strings.
type btfBlob struct {
	order binary.ByteOrder
	types []byte
	strs  []byte
	base  []byte // vmlinux's strings, for split BTF
}

// parseBTFBlob checks the header of a BTF file and finds its sections.
func parseBTFBlob(data []byte) (*btfBlob, error) {
	if len(data) < 24 {
		return nil, errors.New("BTF too short")
	}
	var order binary.ByteOrder
	switch {
	case data[0] == 0x9f && data[1] == 0xeb:
		order = binary.LittleEndian
	case data[0] == 0xeb && data[1] == 0x9f:
		order = binary.BigEndian
	default:
		return nil, errors.New("not BTF (bad magic)")
	}
	hdrLen := uint64(order.Uint32(data[4:]))
	section := func(off, size uint32) ([]byte, error) {
		start := hdrLen + uint64(off)
		end := start + uint64(size)
		if hdrLen < 24 || end > uint64(len(data)) {
			return nil, errors.New("BTF section out of bounds")
		}
		return data[start:end], nil
	}
	types, err := section(order.Uint32(data[8:]), order.Uint32(data[12:]))
	if err != nil {
		return nil, err
	}
	strs, err := section(order.Uint32(data[16:]), order.Uint32(data[20:]))
	if err != nil {
		return nil, err
	}
	return &btfBlob{order: order, types: types, strs: strs}, nil
}

// name returns the NUL-terminated string at off, without copying it.
func (b *btfBlob) name(off uint32) []byte {
	s := b.strs
	if int(off) < len(b.base) {
		s = b.base
	} else {
		off -= uint32(len(b.base))
	}
	if int(off) >= len(s) {
		return nil
	}
	s = s[off:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return s
}

// eachNamed calls fn with the kind and name of every named type. The name
// aliases the blob's memory: fn must copy what it keeps.
func (b *btfBlob) eachNamed(fn func(kind int, name []byte)) error {
	t := b.types
	for len(t) > 0 {
		if len(t) < 12 {
			return errors.New("BTF type section truncated")
		}
		nameOff, info := b.order.Uint32(t), b.order.Uint32(t[4:])
		kind, vlen := int(info>>24&0x1f), int(info&0xffff)
		size := 12
		switch kind {
		case btfKindInt, btfKindVar, btfKindDeclTag:
			size += 4
		case btfKindArray:
			size += 12
		case btfKindStruct, btfKindUnion, btfKindDatasec, btfKindEnum64:
			size += 12 * vlen
		case btfKindEnum, btfKindFuncProto:
			size += 8 * vlen
		}
		if len(t) < size {
			return errors.New("BTF type section truncated")
		}
		if nameOff != 0 {
			fn(kind, b.name(nameOff))
		}
		t = t[size:]
	}
	return nil
}

// btfFiles lists the BTF files of dir: "vmlinux" first, then the modules
// in name order. A kernel without BTF has none.
func btfFiles(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var mods []string
	for _, e := range entries {
		if e.Name() != "vmlinux" {
			mods = append(mods, e.Name())
		}
	}
	sort.Strings(mods)
	if !fileExists(filepath.Join(dir, "vmlinux")) {
		return nil
	}
	return append([]string{"vmlinux"}, mods...)
}

// btfModuleNames returns "module:name" for every type of the given kind
// whose name starts with prefix, in every BTF file of dir, with the prefix
// removed: btfModuleNames(dir, btfKindTypedef, "btf_trace_") gives
// "vmlinux:sched_switch", ... A kernel without BTF gives none.
func btfModuleNames(dir string, kind int, prefix string) ([]string, error) {
	var out []string
	var base []byte
	for _, mod := range btfFiles(dir) {
		data, err := os.ReadFile(filepath.Join(dir, mod))
		if err != nil {
			return nil, fmt.Errorf("reading BTF: %w", err)
		}
		blob, err := parseBTFBlob(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, mod), err)
		}
		if mod == "vmlinux" {
			base = blob.strs
		} else {
			blob.base = base
		}
		p := []byte(prefix)
		err = blob.eachNamed(func(k int, name []byte) {
			if k == kind && bytes.HasPrefix(name, p) && len(name) > len(p) {
				out = append(out, mod+":"+string(name[len(p):]))
			}
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, mod), err)
		}
	}
	return out, nil
}

// rawTracepointParams describes the arguments of the raw tracepoint event of
// module mod as "type name" declarations, from the typedef btf_trace_event
// (the types) and the function __probestub_event or __bpf_trace_event (the
// names, where the kernel has one). The first argument, the tracepoint's
// private data pointer, is not one the program sees and is left out.
func rawTracepointParams(spec *btf.Spec, event string) ([]string, error) {
	var td *btf.Typedef
	if err := spec.TypeByName("btf_trace_"+event, &td); err != nil {
		return nil, fmt.Errorf("raw tracepoint %s: %w", event, err)
	}
	ptr, ok := td.Type.(*btf.Pointer)
	var proto *btf.FuncProto
	if ok {
		proto, ok = ptr.Target.(*btf.FuncProto)
	}
	if !ok || len(proto.Params) == 0 {
		return nil, fmt.Errorf("raw tracepoint %s: btf_trace_%s is not a function pointer", event, event)
	}
	params := proto.Params
	for _, prefix := range []string{"__probestub_", "__bpf_trace_"} {
		var fn *btf.Func
		if spec.TypeByName(prefix+event, &fn) != nil {
			continue
		}
		if named, ok := fn.Type.(*btf.FuncProto); ok && len(named.Params) == len(params) {
			params = named.Params
			break
		}
	}
	var out []string
	for _, p := range params[1:] {
		out = append(out, cDecl(p.Type, p.Name))
	}
	return out, nil
}

// cDecl writes the C declaration of name with type t as tracepoint
// format files do: "const char * filename", "char comm[16]",
// "struct task_struct * prev". An empty name gives the type alone.
func cDecl(t btf.Type, name string) string {
	suffix := ""
	for {
		arr, ok := t.(*btf.Array)
		if !ok {
			break
		}
		suffix += fmt.Sprintf("[%d]", arr.Nelems)
		t = arr.Type
	}
	decl := cTypeName(t)
	if name != "" {
		decl += " " + name
	}
	return decl + suffix
}

// cTypeName names a type in C: qualifiers before the type, " *" after it
// for each pointer. Function pointers, which only callbacks carry, are
// written without their parameters.
func cTypeName(t btf.Type) string {
	switch x := t.(type) {
	case nil, *btf.Void:
		return "void"
	case *btf.Int:
		return x.Name
	case *btf.Float:
		return x.Name
	case *btf.Typedef:
		return x.Name
	case *btf.Struct:
		return "struct " + x.Name
	case *btf.Union:
		return "union " + x.Name
	case *btf.Enum:
		return "enum " + x.Name
	case *btf.Fwd:
		return x.Kind.String() + " " + x.Name
	case *btf.Const:
		return qualify("const", cTypeName(x.Type))
	case *btf.Volatile:
		return qualify("volatile", cTypeName(x.Type))
	case *btf.Restrict:
		return qualify("restrict", cTypeName(x.Type))
	case *btf.TypeTag:
		return cTypeName(x.Type)
	case *btf.Pointer:
		if fn, ok := x.Target.(*btf.FuncProto); ok {
			return cTypeName(fn.Return) + " (*)()"
		}
		inner := cTypeName(x.Target)
		if strings.HasSuffix(inner, "*") {
			return inner + "*"
		}
		return inner + " *"
	case *btf.Array:
		return cDecl(x, "")
	}
	return t.TypeName()
}

// qualify puts a qualifier before a type, or after a pointer, as in
// "const char *const".
func qualify(qual, typ string) string {
	if strings.HasSuffix(typ, "*") {
		return typ + qual
	}
	return qual + " " + typ
}
