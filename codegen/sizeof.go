package codegen

import (
	"strings"

	"github.com/gbt-project/gbt/lang/ast"
)

// sizeof and offsetof are compile-time constants, as in bpftrace: the
// program only loads the number. Neither evaluates its argument:
// sizeof(expr) looks at expr's type alone, so `sizeof($x++)` leaves $x
// as it was. Kernel types (struct, union and enum names, typedefs, the
// members of records and tracepoint fields) are sized from
// Options.Types and the tracepoint formats; the language's own types
// are sized as current bpftrace sizes them (a bool is 1 byte, a kstack
// 16, a buffer its length plus a 4-byte header, a tuple laid out with
// bpftrace's in-tuple alignment).

// sizeofCall emits sizeof(type) or sizeof(expr).
func sizeofCall(g *gen, e ast.Expr) *tmp {
	c := e.(*ast.Call)
	n, ok := g.sizeofArg(c.Args[0])
	if !ok {
		return g.zero()
	}
	return g.constant(int64(n))
}

// offsetofCall emits offsetof(struct X, a.b.c) or offsetof(expr, a.b.c),
// where expr is a record (a dereferenced struct pointer, an embedded
// struct member).
func offsetofCall(g *gen, e ast.Expr) *tmp {
	c := e.(*ast.Call)
	rec, ok := g.offsetofRecord(c.Args[0])
	if !ok {
		return g.zero()
	}
	path, ok := memberPath(c.Args[1])
	if !ok {
		g.fail(c.Args[1], "offsetof() needs a member name, as in offsetof(%s, name) or offsetof(%s, name.sub)", rec, rec)
		return g.zero()
	}
	types := g.c.opts.Types
	if types == nil {
		g.fail(c, "offsetof(%s, ...) needs the kernel's type information (BTF)", rec)
		return g.zero()
	}
	m, err := types.Member(rec, path)
	if err != nil {
		g.fail(c.Args[1], "%v", err)
		return g.zero()
	}
	if m.Bitfield {
		g.fail(c.Args[1], "%s of %s is a bit-field, which has no byte offset", path, rec)
		return g.zero()
	}
	return g.constant(int64(m.Offset))
}

// sizeofArg is the size in bytes of a type or of an expression's type.
func (g *gen) sizeofArg(a ast.Expr) (int, bool) {
	switch x := a.(type) {
	case *ast.TypeExpr:
		return g.typeSize(x, x.Type())
	case *ast.Ident:
		// A name that is neither a variable nor a builtin: a typedef.
		if t := x.Type(); t != nil && t.Kind == ast.KType {
			return g.namedSize(x, t.Name)
		}
	}
	return g.exprSize(a)
}

// exprSize is the size of e's type. Kernel values the checker leaves
// untyped are sized from their declarations: a record member from BTF
// (its arrays and embedded structs too), a tracepoint field from its
// format.
func (g *gen) exprSize(e ast.Expr) (int, bool) {
	if !hasKernel(e.Type()) {
		return g.typeSize(e, e.Type())
	}
	reported := len(g.c.errs)
	if f, ok := e.(*ast.Field); ok {
		if tf := g.argsField(f); tf != nil {
			return g.tracepointFieldSize(f, tf)
		}
		if m := g.member(f); m != nil {
			return m.Size, true
		}
	} else if t := g.staticType(e); t != nil {
		return g.typeSize(e, t)
	}
	if len(g.c.errs) == reported {
		g.fail(e, "the size of this expression is not known")
	}
	return 0, false
}

// tracepointFieldSize sizes a tracepoint field as bpftrace types it: a
// char array is a string of its length, an integer or pointer its own
// size; other fields (arrays of integers) the bytes they take in the
// record.
func (g *gen) tracepointFieldSize(n ast.Node, f *TracepointField) (int, bool) {
	if t := fieldType(f); t != nil {
		return g.typeSize(n, t)
	}
	return f.Size, true
}

// staticType is e's concrete type, as typeOf gives it, and also for a
// dereference of a pointer to a kernel record (*task), whose record the
// code generator never reads whole.
func (g *gen) staticType(e ast.Expr) *ast.Type {
	u, ok := e.(*ast.Unary)
	if !ok || u.Op != "*" {
		return g.typeOf(e)
	}
	pt := g.typeOf(u.X)
	if pt == nil || pt.Kind != ast.KPointer || pt.Elem == nil {
		return nil
	}
	return pt.Elem
}

// typeSize is the size of a value of type t.
func (g *gen) typeSize(n ast.Node, t *ast.Type) (int, bool) {
	size, _, ok := g.sizeAlign(n, t)
	return size, ok
}

// sizeAlign returns the size of t and, as bpftrace lays out tuples, its
// alignment as a tuple element: byte strings and buffers 1, a tuple its
// largest element's alignment, other values their size up to 2 bytes,
// then 4 up to 4 bytes, then 8.
func (g *gen) sizeAlign(n ast.Node, t *ast.Type) (size, align int, ok bool) {
	if t == nil {
		g.fail(n, "the size of this expression is not known")
		return 0, 0, false
	}
	switch t.Kind {
	case ast.KInt:
		size = t.Size
	case ast.KBool:
		size = 1
	case ast.KPointer, ast.KUsername, ast.KAgg:
		size = 8
	case ast.KString:
		return g.c.strSize(t), 1, true
	case ast.KBuffer:
		return t.Size + bpftraceBufHeader, 1, true
	case ast.KStack:
		size = 16
		if t.User {
			size = 24
		}
	case ast.KSymbol:
		size = 8
		if t.User {
			size = 16
		}
	case ast.KTimestamp:
		size = 16
	case ast.KTuple:
		return g.tupleSizeAlign(n, t)
	case ast.KRecord:
		if t.Name == "args" {
			g.fail(n, "sizeof(args) is not supported: take the size of one of its fields")
			return 0, 0, false
		}
		if size, ok = g.namedSize(n, t.Name); !ok {
			return 0, 0, false
		}
	default:
		g.fail(n, "sizeof() of a %s value is not supported", t)
		return 0, 0, false
	}
	switch {
	case size <= 2:
		align = max(size, 1)
	case size <= 4:
		align = 4
	default:
		align = 8
	}
	return size, align, true
}

// bpftraceBufHeader is the length header in front of a bpftrace buffer
// (buf()), which its size counts.
const bpftraceBufHeader = 4

// tupleSizeAlign lays out a tuple as bpftrace does: each element at the
// next multiple of its alignment, the whole padded to the largest.
func (g *gen) tupleSizeAlign(n ast.Node, t *ast.Type) (size, align int, ok bool) {
	align = 1
	for _, e := range t.Elems {
		es, ea, ok := g.sizeAlign(n, e)
		if !ok {
			return 0, 0, false
		}
		size = roundUp(size, ea) + es
		align = max(align, ea)
	}
	return roundUp(size, align), align, true
}

func roundUp(n, to int) int { return (n + to - 1) / to * to }

// namedSize is the size of a kernel type from Options.Types.
func (g *gen) namedSize(n ast.Node, name string) (int, bool) {
	types := g.c.opts.Types
	if types == nil {
		g.fail(n, "sizeof(%s) needs the kernel's type information (BTF)", name)
		return 0, false
	}
	size, err := types.Size(name)
	if err != nil {
		g.fail(n, "%v", err)
		return 0, false
	}
	return size, true
}

// offsetofRecord names the struct or union offsetof's first argument
// gives: a written type (struct task_struct), a typedef name, or an
// expression whose value is a record.
func (g *gen) offsetofRecord(a ast.Expr) (string, bool) {
	var t *ast.Type
	switch x := a.(type) {
	case *ast.TypeExpr:
		t = x.Type()
	case *ast.Ident:
		if it := x.Type(); it != nil && it.Kind == ast.KType {
			return it.Name, true
		}
	}
	if t == nil {
		reported := len(g.c.errs)
		if t = g.staticType(a); t == nil {
			if len(g.c.errs) == reported {
				g.fail(a, "offsetof(): the type of this expression is not known")
			}
			return "", false
		}
	}
	if t.Kind != ast.KRecord || t.Name == "args" {
		g.fail(a, "offsetof(): '%s' is not a struct or union", t)
		return "", false
	}
	return t.Name, true
}

// memberPath turns offsetof's second argument, a name or a dotted chain
// of names (a.b.c), into "a.b.c".
func memberPath(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name, true
	case *ast.Field:
		if x.Arrow {
			return "", false
		}
		head, ok := memberPath(x.X)
		return strings.Join([]string{head, x.Name}, "."), ok
	}
	return "", false
}
