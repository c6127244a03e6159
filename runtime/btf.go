package runtime

import (
	"fmt"
	"strings"
	"sync"

	"github.com/cilium/ebpf/btf"

	"github.com/gbt-project/gbt/codegen"
)

// BTFTypes implements codegen.TypeInfo from the running kernel's BTF
// (/sys/kernel/btf/vmlinux), loaded on first use.
type BTFTypes struct {
	once sync.Once
	spec *btf.Spec
	err  error
}

// NewBTFTypes returns the kernel's type information; nothing is read until
// a member is looked up.
func NewBTFTypes() *BTFTypes { return &BTFTypes{} }

func (b *BTFTypes) load() (*btf.Spec, error) {
	b.once.Do(func() {
		b.spec, b.err = btf.LoadKernelSpec()
		if b.err != nil {
			b.err = fmt.Errorf("loading the kernel's BTF: %w", b.err)
		}
	})
	return b.spec, b.err
}

// RawTracepointArgs implements codegen.RawTracepointInfo: the number of
// arguments of a raw tracepoint of vmlinux, from its btf_trace_<event>
// typedef. Events of modules are unknown.
func (b *BTFTypes) RawTracepointArgs(event string) (int, error) {
	spec, err := b.load()
	if err != nil {
		return 0, err
	}
	params, err := rawTracepointParams(spec, event)
	if err != nil {
		return 0, err
	}
	return len(params), nil
}

// Member implements codegen.TypeInfo. A dotted member path walks into
// embedded struct and union members, whatever their type's name (an
// anonymous struct member has none).
func (b *BTFTypes) Member(typ, member string) (*codegen.Member, error) {
	spec, err := b.load()
	if err != nil {
		return nil, err
	}
	t, err := namedType(spec, typ)
	if err != nil {
		return nil, err
	}
	members, ok := recordMembers(t)
	if !ok {
		return nil, fmt.Errorf("%s is not a struct or union type", typ)
	}
	path := strings.Split(member, ".")
	var m btf.Member
	var off btf.Bits
	for i, name := range path {
		if i > 0 {
			if members, ok = recordMembers(m.Type); !ok {
				return nil, fmt.Errorf("member %s of %s is not a struct or union", strings.Join(path[:i], "."), typ)
			}
		}
		if m, off, ok = findMember(members, name, off); !ok {
			if i == 0 {
				return nil, fmt.Errorf("%s has no member named %s", typ, name)
			}
			return nil, fmt.Errorf("member %s of %s has no member named %s", strings.Join(path[:i], "."), typ, name)
		}
	}
	return describeMember(m, off)
}

// Size implements codegen.TypeInfo.
func (b *BTFTypes) Size(typ string) (int, error) {
	spec, err := b.load()
	if err != nil {
		return 0, err
	}
	t, err := namedType(spec, typ)
	if err != nil {
		return 0, err
	}
	n, err := btf.Sizeof(t)
	if err != nil {
		return 0, fmt.Errorf("the size of %s is unknown: %w", typ, err)
	}
	return n, nil
}

// namedType finds a type as the code generator names it: "struct x",
// "union y", "enum z", or a typedef or base type's own name. A struct
// only declared (a forward declaration) is not found.
func namedType(spec *btf.Spec, typ string) (btf.Type, error) {
	typ = strings.Join(strings.Fields(typ), " ")
	kind, name, _ := strings.Cut(typ, " ")
	var found btf.Type
	switch kind {
	case "struct":
		var s *btf.Struct
		if spec.TypeByName(name, &s) == nil {
			found = s
		}
	case "union":
		var u *btf.Union
		if spec.TypeByName(name, &u) == nil {
			found = u
		}
	case "enum":
		var e *btf.Enum
		if spec.TypeByName(name, &e) == nil {
			found = e
		}
	default:
		var td *btf.Typedef
		var i *btf.Int
		if spec.TypeByName(typ, &td) == nil {
			found = td
		} else if spec.TypeByName(typ, &i) == nil {
			found = i
		} else if _, err := namedType(spec, "struct "+typ); err == nil {
			return nil, fmt.Errorf("unknown type %s (there is a struct %s)", typ, typ)
		}
	}
	if found == nil {
		return nil, fmt.Errorf("unknown type %s", typ)
	}
	return found, nil
}

// recordMembers returns the members of a struct or union type, through
// typedefs and qualifiers.
func recordMembers(t btf.Type) ([]btf.Member, bool) {
	switch x := btf.UnderlyingType(t).(type) {
	case *btf.Struct:
		return x.Members, true
	case *btf.Union:
		return x.Members, true
	}
	return nil, false
}

// findMember finds a member by name, looking into anonymous structs and
// unions; off accumulates their offsets in bits.
func findMember(members []btf.Member, name string, off btf.Bits) (btf.Member, btf.Bits, bool) {
	for _, m := range members {
		if m.Name == name {
			return m, off + m.Offset, true
		}
		if m.Name != "" {
			continue
		}
		switch t := btf.UnderlyingType(m.Type).(type) {
		case *btf.Struct:
			if f, o, ok := findMember(t.Members, name, off+m.Offset); ok {
				return f, o, true
			}
		case *btf.Union:
			if f, o, ok := findMember(t.Members, name, off+m.Offset); ok {
				return f, o, true
			}
		}
	}
	return btf.Member{}, 0, false
}

func describeMember(m btf.Member, off btf.Bits) (*codegen.Member, error) {
	out := &codegen.Member{Offset: int(off / 8), Bitfield: m.BitfieldSize != 0 || off%8 != 0}
	t := btf.UnderlyingType(m.Type)
	if size, err := btf.Sizeof(t); err == nil {
		out.Size = size
	}
	switch x := t.(type) {
	case *btf.Int:
		out.Kind, out.Signed = codegen.MemberInt, x.Encoding == btf.Signed
	case *btf.Enum:
		out.Kind, out.Signed = codegen.MemberInt, x.Signed
	case *btf.Pointer:
		out.Kind, out.Elem = codegen.MemberPointer, typeName(x.Target)
	case *btf.Array:
		out.Kind, out.Elem, out.Len = codegen.MemberArray, typeName(x.Type), int(x.Nelems)
	case *btf.Struct:
		out.Kind, out.Elem = codegen.MemberRecord, "struct "+x.Name
	case *btf.Union:
		out.Kind, out.Elem = codegen.MemberRecord, "union "+x.Name
	default:
		return nil, fmt.Errorf("member %s has type %v, which gbt cannot read", m.Name, t)
	}
	return out, nil
}

// typeName names a type as the code generator knows it: "struct x",
// "union y", or an integer's C name ("char"); "" for anything else.
func typeName(t btf.Type) string {
	switch x := btf.UnderlyingType(t).(type) {
	case *btf.Struct:
		return "struct " + x.Name
	case *btf.Union:
		return "union " + x.Name
	case *btf.Int:
		return x.Name
	}
	return ""
}
