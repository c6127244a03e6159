package codegen

import (
	"github.com/cilium/ebpf/asm"

	"strings"

	"github.com/gbt-project/gbt/lang/ast"
)

// isScalar reports whether values of t live in a register: integers,
// booleans, pointers, and the 8-byte ids that user space prints by name
// (probe: the program's index in Object.Programs; username: the uid;
// ksym and func in kernel probes: the address; kstack, ustack: the stack
// id, see stacks.go).
func isScalar(t *ast.Type) bool {
	if t == nil {
		return false
	}
	switch t.Kind {
	case ast.KInt, ast.KBool, ast.KPointer, ast.KProbeName, ast.KUsername, ast.KStack:
		return true
	case ast.KSymbol:
		return !t.User
	case ast.KAgg:
		// The value of an aggregation as a for loop over its map sees
		// it, combined across CPUs (callbacks.go).
		return iterableAgg(t.Agg)
	}
	return false
}

// isMemory reports whether values of t live in memory (on the stack).
func isMemory(t *ast.Type) bool {
	return t != nil && (t.Kind == ast.KString || t.Kind == ast.KTuple || t.Kind == ast.KTimestamp || t.Kind == ast.KBuffer || isUsym(t))
}

// strSize is the byte size of a string type.
func (c *compiler) strSize(t *ast.Type) int {
	if t.Size > 0 {
		return t.Size
	}
	return c.opts.MaxStrLen
}

// sizeOf is the number of bytes a value of t takes in a Layout.
func (c *compiler) sizeOf(t *ast.Type) int {
	switch {
	case isScalar(t):
		return 8
	case t.Kind == ast.KString:
		return c.strSize(t)
	case t.Kind == ast.KTimestamp:
		return TimestampSize
	case isUsym(t):
		return UsymSize
	case t.Kind == ast.KBuffer:
		return bufferHeader + align8(t.Size)
	case t.Kind == ast.KTuple:
		n := 0
		for _, e := range t.Elems {
			n = align8(n) + c.sizeOf(e)
		}
		return align8(n)
	}
	return 0
}

// fields lays out the leaves of t starting at off.
func (c *compiler) field(t *ast.Type, off int) Field {
	f := Field{Offset: off, Size: c.sizeOf(t), Type: t}
	if t.Kind == ast.KTuple {
		n := 0
		for _, e := range t.Elems {
			n = align8(n)
			f.Elems = append(f.Elems, c.field(e, n))
			n += c.sizeOf(e)
		}
	}
	return f
}

// layoutOf lays out a key or value type; supported reports whether every
// leaf can be stored.
func (c *compiler) layoutOf(t *ast.Type) *Layout {
	return &Layout{Size: align8(c.sizeOf(t)), Fields: []Field{c.field(t, 0)}}
}

// storable reports whether the code generator can hold values of t in
// maps, variables and records.
func storable(t *ast.Type) bool {
	switch {
	case isScalar(t):
		return true
	case t == nil:
		return false
	case t.Kind == ast.KString, t.Kind == ast.KTimestamp, t.Kind == ast.KBuffer, isUsym(t):
		return true
	case t.Kind == ast.KTuple:
		for _, e := range t.Elems {
			if !storable(e) {
				return false
			}
		}
		return true
	}
	return false
}

// fieldType gives the concrete type of a tracepoint field: char arrays are
// strings, pointers are pointers, everything else an integer of the
// field's size and sign.
func fieldType(f *TracepointField) *ast.Type {
	ct := strings.TrimSpace(f.CType)
	switch {
	case isDataLocString(f):
		return ast.String(0)
	case f.ArrayLen > 0 && strings.HasPrefix(strings.TrimPrefix(ct, "const "), "char"):
		return ast.String(f.ArrayLen)
	case f.ArrayLen > 0 || strings.Contains(ct, "[") && !strings.Contains(ct, "*"):
		return nil
	case strings.Contains(ct, "*"):
		return &ast.Type{Kind: ast.KPointer, Size: 8}
	case f.Size == 1 || f.Size == 2 || f.Size == 4 || f.Size == 8:
		return ast.Int(f.Size, f.Signed)
	}
	return nil
}

// storeImm emits `*(size *)(dst + off) = value`. Unlike asm.StoreImm it
// allows DWord, which stores the 32-bit immediate sign-extended.
func storeImm(dst asm.Register, off int16, value int64, size asm.Size) asm.Instruction {
	return asm.Instruction{OpCode: asm.StoreImmOp(size), Dst: dst, Offset: off, Constant: value}
}
