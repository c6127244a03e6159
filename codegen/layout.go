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
// strings, pointers are pointers, integers are typed as bpftrace types them
// (fieldIntType).
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
		return fieldIntType(ct, f.Size, f.Signed)
	}
	return nil
}

// fieldIntType types an integer field declared as ctype and laid out size
// bytes wide. bpftrace types fields from their declaration, not from the
// format's signed flag, which the fields of syscall tracepoints (every one
// 8 bytes, an unsigned long) always give as 0: `int dfd` is signed. As in
// bpftrace (its tracepoint format parser), an 8-byte int is an int64 and
// an 8-byte unsigned int, u32, pid_t, uid_t or gid_t a uint64; other known
// types keep their own width and sign (umode_t mode: uint16, the low bytes
// of its slot on this little-endian machine). Unknown types are as the
// format says.
func fieldIntType(ctype string, size int, signed bool) *ast.Type {
	if size == 8 {
		// bpftrace matches the declaration exactly: "const int" is
		// not widened.
		switch ctype {
		case "int":
			return ast.Int(8, true)
		case "unsigned int", "unsigned", "u32", "pid_t", "uid_t", "gid_t":
			return ast.Int(8, false)
		}
	}
	name := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(ctype, "const "), "volatile "))
	if strings.HasPrefix(name, "enum ") {
		return ast.Int(min(size, 4), false)
	}
	if c, ok := cIntTypes[name]; ok && c.size <= size {
		return ast.Int(c.size, c.signed)
	}
	return ast.Int(size, signed)
}

// cIntTypes are the integer C types (and kernel typedefs) of tracepoint
// fields, with their x86-64 width and sign.
var cIntTypes = map[string]struct {
	size   int
	signed bool
}{
	"char": {1, true}, "signed char": {1, true}, "unsigned char": {1, false},
	"bool": {1, false}, "_Bool": {1, false},
	"short": {2, true}, "short int": {2, true}, "signed short": {2, true},
	"unsigned short": {2, false}, "unsigned short int": {2, false},
	"int": {4, true}, "signed int": {4, true}, "signed": {4, true},
	"unsigned int": {4, false}, "unsigned": {4, false},
	"long": {8, true}, "long int": {8, true}, "signed long": {8, true},
	"unsigned long": {8, false}, "unsigned long int": {8, false},
	"long long": {8, true}, "long long int": {8, true},
	"unsigned long long": {8, false}, "unsigned long long int": {8, false},
	"s8": {1, true}, "__s8": {1, true}, "u8": {1, false}, "__u8": {1, false},
	"s16": {2, true}, "__s16": {2, true}, "u16": {2, false}, "__u16": {2, false},
	"s32": {4, true}, "__s32": {4, true}, "u32": {4, false}, "__u32": {4, false},
	"s64": {8, true}, "__s64": {8, true}, "u64": {8, false}, "__u64": {8, false},
	"size_t": {8, false}, "ssize_t": {8, true}, "loff_t": {8, true}, "off_t": {8, true},
	"pid_t": {4, true}, "uid_t": {4, false}, "gid_t": {4, false}, "umode_t": {2, false},
	"clockid_t": {4, true}, "timer_t": {4, true}, "mqd_t": {4, true}, "key_t": {4, true},
	"key_serial_t": {4, true}, "rwf_t": {4, true}, "qid_t": {4, false}, "aio_context_t": {8, false},
}

// storeImm emits `*(size *)(dst + off) = value`. Unlike asm.StoreImm it
// allows DWord, which stores the 32-bit immediate sign-extended.
func storeImm(dst asm.Register, off int16, value int64, size asm.Size) asm.Instruction {
	return asm.Instruction{OpCode: asm.StoreImmOp(size), Dst: dst, Offset: off, Constant: value}
}
