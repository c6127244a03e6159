package ast

import (
	"fmt"
	"strings"
)

// Kind is the kind of a Type.
type Kind int

const (
	KNone      Kind = iota // no value (a statement-like call such as printf)
	KInt                   // integer; Size and Signed
	KBool                  // true / false (stored as an integer)
	KString                // NUL-terminated string of at most Size bytes (including the NUL)
	KBuffer                // byte buffer of at most Size bytes (buf())
	KTuple                 // Elems
	KStack                 // kernel or user stack (User, Limit, StackMode)
	KSymbol                // a resolved symbol for printing (ksym/usym); User says which
	KPointer               // pointer to Elem (Elem may be nil for an opaque pointer)
	KRecord                // struct / union named Name (layout from BTF, later)
	KInet                  // an address for ntop()
	KTimestamp             // strftime() result
	KAgg                   // an aggregation value; Agg says which
	KMap                   // a whole map used as a value (print(@m), clear(@m)); Name is the map
	KType                  // a type used as an expression (sizeof(struct x))
	KUsername              // a user id that prints as the user's name (username)
	KProbeName             // the probe that fired, printed by name (probe)
	KKernel                // a kernel record member whose layout the checker cannot see (args.filename, task->pid): integer, string or pointer; codegen types it from tracefs/BTF
)

// AggKind is the kind of aggregation stored in a map.
type AggKind int

const (
	AggNone AggKind = iota
	AggCount
	AggSum
	AggAvg
	AggMin
	AggMax
	AggStats
	AggHist
	AggLhist
)

var aggNames = [...]string{"none", "count", "sum", "avg", "min", "max", "stats", "hist", "lhist"}

func (a AggKind) String() string { return aggNames[a] }

// Type is the type of an expression, a map key or a map value.
// Types are values: compare them with Equal, not ==.
type Type struct {
	Kind   Kind
	Size   int  // bytes: integer width, maximum string or buffer length
	Signed bool // for KInt, and for KAgg of sum/min/max/avg/stats

	Elems []*Type // KTuple
	Elem  *Type   // KPointer

	Agg AggKind // KAgg

	User      bool   // KStack, KSymbol: user space rather than kernel
	Limit     int    // KStack: maximum number of frames
	StackMode string // KStack: "bpftrace", "perf" or "raw"

	Name string // KRecord: the C type name; KMap: the map's name
}

// Constructors for common types.
func Int(size int, signed bool) *Type  { return &Type{Kind: KInt, Size: size, Signed: signed} }
func String(size int) *Type            { return &Type{Kind: KString, Size: size} }
func Bool() *Type                      { return &Type{Kind: KBool, Size: 1} }
func None() *Type                      { return &Type{Kind: KNone} }
func TupleOf(elems ...*Type) *Type     { return &Type{Kind: KTuple, Elems: elems} }
func Agg(a AggKind, signed bool) *Type { return &Type{Kind: KAgg, Agg: a, Signed: signed} }

// Arith is the type of the result of integer arithmetic on x and y: 64
// bits, signed only when both operands are (bpftrace's rule; an operand
// that is not a KInt, such as a bool, counts as signed). A KKernel operand,
// a kernel value whose C type only the code generator knows (a tracepoint
// field), makes the result KKernel too: the code generator applies this
// rule again to the concrete types.
func Arith(x, y *Type) *Type {
	if x.Kind == KKernel || y.Kind == KKernel {
		return &Type{Kind: KKernel}
	}
	sx := x.Kind != KInt || x.Signed
	sy := y.Kind != KInt || y.Signed
	return Int(8, sx && sy)
}

// Equal reports whether t and u are the same type. String sizes are not
// compared: strings of any length are one type.
func (t *Type) Equal(u *Type) bool {
	if t == nil || u == nil {
		return t == u
	}
	if t.Kind != u.Kind {
		return false
	}
	switch t.Kind {
	case KInt:
		return t.Size == u.Size && t.Signed == u.Signed
	case KTuple:
		if len(t.Elems) != len(u.Elems) {
			return false
		}
		for i := range t.Elems {
			if !t.Elems[i].Equal(u.Elems[i]) {
				return false
			}
		}
		return true
	case KPointer:
		return t.Elem.Equal(u.Elem)
	case KAgg:
		return t.Agg == u.Agg
	case KStack:
		return t.User == u.User
	case KSymbol:
		return t.User == u.User
	case KRecord, KMap:
		return t.Name == u.Name
	}
	return true
}

// IsInteger reports whether values of t are integers (ints and bools).
func (t *Type) IsInteger() bool { return t != nil && (t.Kind == KInt || t.Kind == KBool) }

// String renders the type as `-d types` prints it: int64, uint32, bool,
// string[64], (int64, string[16]), count, hist, kstack, struct task_struct *.
func (t *Type) String() string {
	if t == nil {
		return "?"
	}
	switch t.Kind {
	case KNone:
		return "none"
	case KInt:
		if t.Signed {
			return fmt.Sprintf("int%d", t.Size*8)
		}
		return fmt.Sprintf("uint%d", t.Size*8)
	case KBool:
		return "bool"
	case KString:
		return fmt.Sprintf("string[%d]", t.Size)
	case KBuffer:
		return fmt.Sprintf("buffer[%d]", t.Size)
	case KTuple:
		parts := make([]string, len(t.Elems))
		for i, e := range t.Elems {
			parts[i] = e.String()
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case KStack:
		if t.User {
			return "ustack"
		}
		return "kstack"
	case KSymbol:
		if t.User {
			return "usym"
		}
		return "ksym"
	case KPointer:
		if t.Elem == nil {
			return "void *"
		}
		return t.Elem.String() + " *"
	case KRecord:
		return t.Name
	case KInet:
		return "inet"
	case KTimestamp:
		return "timestamp"
	case KAgg:
		return t.Agg.String()
	case KMap:
		return "map " + t.Name
	case KType:
		return "type"
	case KUsername:
		return "username"
	case KProbeName:
		return "probe"
	case KKernel:
		return "kernel"
	}
	return "?"
}

// MapInfo is what the checker learned about one map: its key and value
// types, consistent across every use.
type MapInfo struct {
	Name  string
	Key   *Type // nil for a map used without a key; a KTuple for multi-part keys
	Value *Type
	Pos   Pos // first use
}
