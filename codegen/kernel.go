package codegen

// KernelInfo is what the code generator needs to know about the running
// kernel's tracing interfaces. The runtime implements it (from tracefs and
// BTF); tests implement it with fixed data. Codegen itself never touches the
// kernel: everything kernel-specific arrives through this interface, and the
// resulting Object records what it was compiled against.
type KernelInfo interface {
	// MatchTracepoints expands a "group:event" pattern that may contain
	// '*' and '?' wildcards into the sorted list of existing tracepoints,
	// each "group:event". A pattern without wildcards that names no
	// tracepoint gives an error.
	MatchTracepoints(pattern string) ([]string, error)

	// Tracepoint returns the record layout of one tracepoint, parsed from
	// events/<group>/<event>/format.
	Tracepoint(group, event string) (*TracepointFormat, error)
}

// TracepointFormat is the layout of a tracepoint's record, as the kernel
// describes it in its format file.
type TracepointFormat struct {
	Group, Event string
	ID           uint32 // the tracepoint id (events/<group>/<event>/id)
	Fields       []TracepointField
}

// TracepointField is one field of a tracepoint record, such as
// `field:const char * filename; offset:24; size:8; signed:0;`.
type TracepointField struct {
	Name     string // "filename"
	CType    string // the declared C type without the name: "const char *", "char[16]", "int"
	Offset   int
	Size     int
	Signed   bool
	ArrayLen int  // element count for a fixed array such as char comm[16]; 0 otherwise
	Common   bool // a common_* field shared by every tracepoint
}

// TypeInfo describes the kernel's C types (from BTF), for member access
// through casts such as `((struct task_struct *)curtask)->real_parent`.
// The runtime implements it; tests use fixed data.
type TypeInfo interface {
	// Member describes the member of a struct or union type ("struct
	// task_struct", "union bpf_attr"), looking through anonymous struct
	// and union members.
	Member(typ, member string) (*Member, error)
}

// MemberKind classifies a struct member's type.
type MemberKind int

const (
	MemberInt     MemberKind = iota // an integer, enum or bool: Size, Signed
	MemberPointer                   // a pointer: Elem is the pointed-to type ("struct task_struct", "char", "" for void)
	MemberArray                     // an array of Len elements of type Elem, Size bytes in all
	MemberRecord                    // an embedded struct or union named Elem
)

// Member is one member of a C struct or union.
type Member struct {
	Offset int // bytes from the start of the enclosing type
	Size   int // bytes
	Kind   MemberKind
	Signed bool
	Elem   string
	Len    int
	// Bitfield is true for a bit-field member, which the code generator
	// does not read.
	Bitfield bool
}
