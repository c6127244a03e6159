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
	// and union members. member may be a dotted path ("se.vruntime"):
	// a member of an embedded struct or union member, whose Offset is
	// then from the start of typ.
	Member(typ, member string) (*Member, error)

	// Size is the size in bytes of a named type: "struct task_struct",
	// "union bpf_attr", "enum pid_type", or a typedef or base type name
	// ("pid_t", "atomic_t"). An unknown or incomplete type is an error.
	Size(typ string) (int, error)
}

// RawTracepointInfo is a TypeInfo that also knows how many arguments each
// raw tracepoint passes its programs (from the kernel's BTF). When
// Options.Types implements it, argN in a rawtracepoint probe is checked
// against the count; otherwise, or when the count is unknown, argN reads
// any of the 12 slots a raw tracepoint can have.
type RawTracepointInfo interface {
	// RawTracepointArgs returns the number of arguments of the raw
	// tracepoint event ("sys_enter": 2), or an error when it is unknown.
	RawTracepointArgs(event string) (int, error)
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

// UserInfo describes user-space binaries, for uprobe wildcards and USDT
// probes: their function symbols and SDT notes. The runtime implements it
// from the ELF files (resolving library names such as "libc" as it does
// when it attaches, through the memory maps of the -p process if any);
// tests use fixed data. The Object records what it was compiled against:
// the matched function names, and each USDT location's address and
// argument locations.
type UserInfo interface {
	// Path finds the file a probe's binary names ("/bin/bash", "bash",
	// "libc"), as the runtime finds it when it attaches; the probe
	// builtin prints it.
	Path(binary string) (string, error)

	// MatchFuncs expands a function pattern with '*' and '?' wildcards
	// into the sorted names of binary's function symbols that match. No
	// match is an error.
	MatchFuncs(binary, pattern string) ([]string, error)

	// USDT returns the locations of binary's USDT probes that pattern
	// ("provider:name" or "name", with wildcards) names, sorted by
	// provider, name and address. No match is an error.
	USDT(binary, pattern string) ([]USDTProbe, error)

	// FuncParams returns the formal parameters of binary's function fn,
	// in declaration order, from the binary's DWARF debug information;
	// args in a uprobe reads them. A binary without debug information
	// for fn is an error that says so.
	FuncParams(binary, fn string) ([]FuncParam, error)
}

// ParamKind classifies a function parameter's type by how the x86-64
// System V calling convention passes it.
type ParamKind int

const (
	ParamInt     ParamKind = iota // an integer, enum, char or bool: Size, Signed
	ParamPointer                  // a pointer, in a general-purpose register
	ParamFloat                    // a floating-point or complex number, in SSE registers or memory
	ParamRecord                   // a struct or union passed by value
	ParamOther                    // a type the code generator does not place (such as a C++ reference)
)

// FuncParam is one formal parameter of a user-space function.
type FuncParam struct {
	Name   string
	CType  string // the declared C type: "int", "long int", "const char *", "size_t"
	Kind   ParamKind
	Size   int // bytes
	Signed bool
}

// USDTProbe is one location of a USDT probe: where it is in the file and
// where its arguments are when it fires. One probe written in the source
// may have several locations, each compiled into a program of its own.
type USDTProbe struct {
	Provider, Name string
	// PC is the address of the probe's instruction in the file (the
	// runtime attaches there and checks that the file still has it).
	PC   uint64
	Args []USDTArg
	// ArgErr, when not empty, says why the argument locations could not
	// be read; the probe still attaches, but reading argN is refused.
	ArgErr string
}

// USDTArgKind says where a USDT argument's value is.
type USDTArgKind int

const (
	USDTConst  USDTArgKind = iota // the constant Value
	USDTReg                       // register Reg, shifted right by Shift
	USDTMem                       // user memory at register Reg + Offset [+ register Index * Scale]
	USDTGlobal                    // user memory at Addr plus the load bias (the ip register Reg minus the probe's PC)
)

// USDTArg is the location of one USDT argument, lowered as:
//
//	USDTConst   v = Value
//	USDTReg     v = *(u64 *)(ctx + Reg) >> Shift
//	USDTMem     v = Size bytes of user memory at *(u64 *)(ctx + Reg) + Offset [+ *(u64 *)(ctx + Index) * Scale]
//	USDTGlobal  v = Size bytes of user memory at Addr + *(u64 *)(ctx + Reg) - PC
//
// then truncated to Size bytes and sign-extended when Signed. Reg and
// Index are byte offsets of registers in the probe context (struct
// pt_regs); Index is -1 when there is none.
type USDTArg struct {
	Kind   USDTArgKind
	Size   int
	Signed bool
	Value  int64
	Reg    int16
	Shift  uint8
	Offset int64
	Index  int16
	Scale  int64
	Addr   uint64
}
