package lang

import (
	"strings"

	"github.com/gbt-project/gbt/lang/ast"
)

// Kernel types: the checker knows integer type names; struct, union and
// typedef layouts come from BTF or tracefs in codegen, so members of a
// record are typed KKernel here.

// intTypes maps C and bpftrace integer type names to their types.
var intTypes = map[string]*ast.Type{
	"int8": ast.Int(1, true), "int16": ast.Int(2, true), "int32": ast.Int(4, true), "int64": ast.Int(8, true),
	"uint8": ast.Int(1, false), "uint16": ast.Int(2, false), "uint32": ast.Int(4, false), "uint64": ast.Int(8, false),
	"char": ast.Int(1, true), "signed char": ast.Int(1, true), "unsigned char": ast.Int(1, false),
	"short": ast.Int(2, true), "unsigned short": ast.Int(2, false),
	"int": ast.Int(4, true), "signed": ast.Int(4, true), "unsigned": ast.Int(4, false), "unsigned int": ast.Int(4, false),
	"long": ast.Int(8, true), "unsigned long": ast.Int(8, false),
	"long long": ast.Int(8, true), "unsigned long long": ast.Int(8, false),
	"u8": ast.Int(1, false), "u16": ast.Int(2, false), "u32": ast.Int(4, false), "u64": ast.Int(8, false),
	"s8": ast.Int(1, true), "s16": ast.Int(2, true), "s32": ast.Int(4, true), "s64": ast.Int(8, true),
	"__u8": ast.Int(1, false), "__u16": ast.Int(2, false), "__u32": ast.Int(4, false), "__u64": ast.Int(8, false),
	"__s8": ast.Int(1, true), "__s16": ast.Int(2, true), "__s32": ast.Int(4, true), "__s64": ast.Int(8, true),
	"uint8_t": ast.Int(1, false), "uint16_t": ast.Int(2, false), "uint32_t": ast.Int(4, false), "uint64_t": ast.Int(8, false),
	"int8_t": ast.Int(1, true), "int16_t": ast.Int(2, true), "int32_t": ast.Int(4, true), "int64_t": ast.Int(8, true),
	"size_t": ast.Int(8, false), "ssize_t": ast.Int(8, true), "pid_t": ast.Int(4, true), "uid_t": ast.Int(4, false),
	"gid_t": ast.Int(4, false), "loff_t": ast.Int(8, true), "off_t": ast.Int(8, true), "dev_t": ast.Int(4, false),
	"sector_t": ast.Int(8, false), "bool": ast.Bool(), "_Bool": ast.Bool(),
}

// namedType types a type name without pointers or arrays.
func namedType(name string) *ast.Type {
	name = strings.Join(strings.Fields(strings.TrimPrefix(strings.TrimSpace(name), "const ")), " ")
	if t, ok := intTypes[name]; ok {
		return t
	}
	if name == "void" {
		return ast.None()
	}
	if name == "string" {
		return ast.String(64)
	}
	return &ast.Type{Kind: ast.KRecord, Name: name}
}

// typeExpr types a written type and records KType on the node.
func (c *checker) typeExpr(te *ast.TypeExpr) *ast.Type {
	te.SetType(&ast.Type{Kind: ast.KType, Name: te.Name})
	t := namedType(te.Name)
	if t.Kind == ast.KString {
		t = ast.String(c.opts.MaxStrLen)
	}
	if te.Array > 0 {
		if t.IsInteger() && t.Size == 1 {
			t = ast.String(te.Array)
		} else {
			c.errorf(te, "not implemented: arrays of '%s' (only char arrays, as strings)", te.Name)
			return invalid
		}
	}
	for i := 0; i < te.Ptr; i++ {
		elem := t
		if elem.Kind == ast.KNone {
			elem = nil
		}
		t = &ast.Type{Kind: ast.KPointer, Size: 8, Elem: elem}
	}
	return t
}

func (c *checker) cast(x *ast.Cast) *ast.Type {
	from := c.expr(x.X)
	to := c.typeExpr(x.To)
	if from == invalid || to == invalid {
		return to
	}
	switch {
	case from.Kind == ast.KKernel:
	case to.IsInteger() && (isIntegral(from) || from.Kind == ast.KPointer || readableAgg(from)):
	case to.Kind == ast.KPointer && (isIntegral(from) || from.Kind == ast.KPointer):
	case to.Kind == ast.KString && from.Kind == ast.KString:
	default:
		c.errorf(x, "cannot cast from '%s' to '%s'", from, to)
		return invalid
	}
	return to
}

// readableAgg reports whether an aggregation's value reads as one integer
// (so a cast can turn it into one).
func readableAgg(t *ast.Type) bool {
	if t.Kind != ast.KAgg {
		return false
	}
	switch t.Agg {
	case ast.AggCount, ast.AggSum, ast.AggMin, ast.AggMax, ast.AggAvg:
		return true
	}
	return false
}

// field types X.Name and X->Name. Records' layouts are unknown here, so a
// member is a KKernel value.
func (c *checker) field(f *ast.Field) *ast.Type {
	t := c.expr(f.X)
	switch {
	case t.Kind == ast.KKernel:
		return &ast.Type{Kind: ast.KKernel}
	case t.Kind == ast.KRecord && t.Name == "args":
		return &ast.Type{Kind: ast.KKernel}
	case t.Kind == ast.KRecord && f.Arrow:
		c.errorf(f, "can not access field '%s' on type '%s' with '->': use '.'", f.Name, t)
	case t.Kind == ast.KRecord:
		return &ast.Type{Kind: ast.KKernel}
	case t.Kind == ast.KPointer && (t.Elem == nil || t.Elem.Kind == ast.KRecord):
		if !f.Arrow {
			c.errorf(f, "can not access field '%s' on type '%s'. Try dereferencing it first, or using '->'", f.Name, t)
			return invalid
		}
		return &ast.Type{Kind: ast.KKernel}
	case t.Kind == ast.KTuple:
		c.errorf(f, "can not access field '%s' on a tuple: use .0, .1, ...", f.Name)
	default:
		c.errorf(f, "can not access field '%s' on expression of type '%s'", f.Name, t)
	}
	return invalid
}

func (c *checker) index(x *ast.Index) *ast.Type {
	t, it := c.expr(x.X), c.expr(x.I)
	if !isIntegral(it) {
		c.errorf(x.I, "the index must be an integer (%s provided)", describe(it))
	}
	switch t.Kind {
	case ast.KKernel:
		return t
	case ast.KPointer:
		if t.Elem == nil || t.Elem.Kind == ast.KRecord {
			return &ast.Type{Kind: ast.KKernel}
		}
		return t.Elem
	case ast.KString:
		return ast.Int(1, true)
	}
	c.errorf(x, "the [] operator can not be used on expressions of type '%s'", t)
	return invalid
}
