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
