package codegen

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// Object is the compiled form of one script: everything the runtime needs
// to load, attach, run and print it. It is plain, deterministic data: the
// same script compiled with the same Options gives an equal Object. It holds
// nothing that depends on the running kernel or host (no fds, no addresses,
// no boot time); values only known at start (see ConfigLayout) are written
// by the runtime into the config map.
type Object struct {
	// File is the script's file name, as in diagnostics.
	File string

	// Programs are the eBPF programs, one per attach point after wildcard
	// expansion, in probe order (the order of the script), then in the
	// sorted order of the expansion.
	Programs []*Program

	// Maps are every map the programs reference: the script's maps sorted
	// by script name, then the internal maps (ring buffer, config,
	// scratch).
	// Instructions refer to them by Map.Name through asm references.
	Maps []*Map

	// Printfs is the format table of printf call sites; an EventPrintf
	// record carries the index into it (see events.go).
	Printfs []*PrintfFormat

	// PrintValues describes the print(value) call sites: an
	// EventPrintValue record carries the index; Format is empty and Args
	// holds the one value.
	PrintValues []*PrintfFormat

	// TimeFormats are the strftime formats of time() (EventTime records)
	// and strftime() values (KTimestamp: 16 bytes, the nanoseconds of
	// bpf_ktime_get_ns's clock at 0 and the format's index here at 8).
	TimeFormats []string

	// Cats describes the cat() call sites as printf formats (the path's
	// format and arguments); an EventCat record carries the index.
	Cats []*PrintfFormat

	// Systems describes the system() call sites as printf formats (the
	// command's format and arguments); an EventSystem record carries the
	// index.
	Systems []*PrintfFormat

	// JoinSeps are the separators of the join() call sites; an EventJoin
	// record carries the index.
	JoinSeps []string

	// Warnings are compile-time warnings about the script (warnings.go),
	// in the script's order, for the command to print.
	Warnings []*Warning

	// RuntimeErrors are the places that report runtime errors (divisions
	// and modulos by a value that may be 0); an EventRuntimeError record
	// carries the index.
	RuntimeErrors []*RuntimeError

	// Symbols are the symbols whose addresses the programs read (kaddr,
	// uaddr); the runtime writes the address of Symbols[i] into the
	// config map at SymbolSlot(i).
	Symbols []SymbolRef

	// Params are the positional parameters the script was compiled with;
	// they are compile-time constants folded into the programs.
	Params []string
}

// License is the license every program declares; gbt uses GPL-only helpers.
const License = "GPL"

// Program is one eBPF program and where it attaches.
type Program struct {
	// Name is unique within the Object and valid as a kernel object name
	// once truncated; it is also the key in an ebpf.CollectionSpec.
	Name string

	// Probe is the full probe name after expansion, as the `probe` builtin
	// prints it: "tracepoint:syscalls:sys_enter_read", "BEGIN",
	// "interval:s:1".
	Probe string

	// Pos is the source position of the attach point (the ProbeSpec).
	Pos ast.Pos

	// Type is the eBPF program type: TracePoint for tracepoints,
	// RawTracepoint for raw tracepoints and for BEGIN/END (which the
	// runtime runs once through BPF_PROG_TEST_RUN), PerfEvent for
	// interval, profile, software and hardware, Kprobe for kprobe and
	// uprobe, Tracing for fentry and fexit (whose target function the
	// runtime resolves in the kernel's BTF when it loads the program).
	Type ebpf.ProgramType

	// Attach says where the runtime attaches the program.
	Attach Attach

	// Insns are the instructions. Jumps use symbolic labels
	// (asm.Instruction.WithSymbol) and map loads use symbolic references
	// (asm.LoadMapPtr(...).WithReference(Map.Name)); the first
	// instruction carries the program's name as its symbol. Every
	// instruction that comes from the script carries its source
	// (asm.Comment "line:col text") through WithSource, which the loader
	// uses to map verifier errors back to the script.
	Insns asm.Instructions

	// License is always License ("GPL").
	License string
}

// AttachKind says how a program is attached.
type AttachKind int

const (
	AttachBegin         AttachKind = iota // run once at start (BPF_PROG_TEST_RUN)
	AttachEnd                             // run once at exit (BPF_PROG_TEST_RUN)
	AttachTracepoint                      // Group, Event
	AttachRawTracepoint                   // Event
	AttachInterval                        // Period: one CPU, cpu-clock software event
	AttachProfile                         // Frequency or Period: every CPU, cpu-clock software event
	AttachSoftware                        // Event (software event name), Period: every CPU
	AttachKprobe                          // Target (function), Offset; the kernel may lack kprobes
	AttachKretprobe                       // Target
	AttachUprobe                          // Binary, Target (symbol), Offset
	AttachUretprobe                       // Binary, Target
	AttachUSDT                            // Binary, Target ("provider:name"), Offset (the location's address in the file)
	AttachFentry                          // Target (function), Group (optional module); the kernel may lack fentry
	AttachFexit                           // Target, Group
	AttachHardware                        // Event (hardware event name), Period: every CPU; the kernel may lack a PMU
)

var attachNames = [...]string{"begin", "end", "tracepoint", "rawtracepoint", "interval",
	"profile", "software", "kprobe", "kretprobe", "uprobe", "uretprobe", "usdt",
	"fentry", "fexit", "hardware"}

func (k AttachKind) String() string { return attachNames[k] }

// Attach is the attach plan of one program, concrete: wildcards are
// already expanded and units converted.
type Attach struct {
	Kind AttachKind

	// Group and Event name a tracepoint (Group "syscalls", Event
	// "sys_enter_read"); for a raw tracepoint Event is the event name and
	// Group the optional module; for software events Event is the
	// canonical event name ("cpu-clock", "page-faults",
	// "context-switches", ...); for hardware events it is the name as
	// written ("cycles"); for fentry and fexit Group is the optional
	// module.
	Group, Event string

	// Period is, for interval, the interval in nanoseconds; for profile
	// given in s/ms/us, the period in nanoseconds; for software, the
	// sample period in events (bpftrace's default when omitted); for
	// hardware, the sample period, 0 for the runtime's default.
	Period uint64

	// Frequency is profile's frequency in Hz when written with hz (and
	// interval's when written with hz it is converted to Period).
	Frequency uint64

	// Binary, Target and Offset describe kprobes, uprobes and fentry: the binary
	// or library path as written (uprobes), the function, the offset.
	Binary string
	Target string
	Offset uint64
}

// MapKind says what a map is for.
type MapKind int

const (
	MapScript  MapKind = iota // a map of the script (@name)
	MapRingbuf                // the event ring buffer
	MapConfig                 // the config array the runtime fills at start
	MapScratch                // per-CPU scratch space for big records; not read by user space
	MapDrops                  // per-CPU count of records the full ring buffer refused (events.go)
	MapFrame                  // per-CPU frames of programs too big for the stack (bigframe.go)
	MapStack                  // a stack trace map of kstack or ustack, or the set of processes whose user stacks were taken (stacks.go)
)

// Map is one eBPF map and how the runtime decodes and prints it.
type Map struct {
	// Name is the reference used by the instructions and the key in an
	// ebpf.CollectionSpec; it is a valid kernel object name once
	// truncated to 15 bytes ("AT_counts" for @counts, "AT_" for @).
	Name string
	Kind MapKind

	Type       ebpf.MapType // Hash, PerCPUHash (aggregations), RingBuf, Array
	KeySize    uint32
	ValueSize  uint32
	MaxEntries uint32

	// The fields below describe script maps (Kind == MapScript) only.

	// ScriptName is the map's name in the script, with its '@'.
	ScriptName string

	// KeyType is the key's type as checked (nil for a map without a key;
	// a KTuple for a multi-part key). Key is its byte layout.
	KeyType *ast.Type
	Key     *Layout

	// ValueType is the value's type as checked (a KAgg for aggregations).
	// Value is the byte layout of one value (of one CPU's value for
	// per-CPU maps: the runtime combines the CPUs, see AggKind).
	ValueType *ast.Type
	Value     *Layout

	// Agg is the aggregation kind, AggNone for plain values. Per-CPU
	// value layouts, to be combined across CPUs by the runtime:
	//   count, sum: one 8-byte integer (sum of the CPUs);
	//   min, max:   the 8-byte value at 0, then an 8-byte flag at 8 that is
	//               1 when this CPU has a value (min/max over CPUs that
	//               have one);
	//   avg, stats: the 8-byte count at 0 and the 8-byte total at 8 (sums;
	//               average = total / count, as an integer division);
	//   hist, lhist: one 8-byte counter (a sum) per (key, bucket index)
	//               key, see HistSpec.
	// The signedness of sum/min/max/avg/stats is ValueType.Signed.
	Agg ast.AggKind

	// Hist gives the buckets of a hist() or lhist() map; nil otherwise.
	Hist *HistSpec
}

// Layout is the byte layout of a key, a value, or an event record's
// argument: a flat list of leaves. Every integer (and bool) is stored as 8
// bytes in host byte order, sign- or zero-extended from its type; a string
// takes its type's Size bytes, NUL-padded; a buf() buffer is its length in
// bytes as an 8-byte integer, then its type's Size bytes (rounded up to 8,
// zero beyond the length); a tuple is its elements in order, each starting
// at a multiple of 8. Size is rounded up to 8.
type Layout struct {
	Size   int
	Fields []Field
}

// Field is one leaf or tuple element of a Layout.
type Field struct {
	Offset int
	Size   int       // bytes occupied: 8 for integers, the string size for strings
	Type   *ast.Type // the leaf's type (KInt, KBool, KString, KTuple, ...)
	// Elems is the nested layout of a tuple element (Type.Kind == KTuple),
	// with offsets relative to this field's Offset.
	Elems []Field
}
