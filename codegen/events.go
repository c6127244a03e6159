package codegen

import "github.com/gbt-project/gbt/lang/ast"

// The event protocol: programs send records to user space through the ring
// buffer map (MapRingbuf, reference RingbufName). Every record starts with
// an 8-byte header in host byte order:
//
//	bits 63..32  the event kind (EventKind)
//	bits 31..0   an index whose meaning depends on the kind
//
// followed by the kind's payload, at offset 8:
//
//	EventPrintf  index = position in Object.Printfs; the payload holds the
//	             arguments at the offsets of PrintfFormat.Args (each laid
//	             out as a Layout leaf: integers 8 bytes, strings their
//	             type's size, tuples element by element). The record is
//	             PrintfFormat.Size bytes long.
//	EventExit    index = 0; an 8-byte signed exit code at offset 8. The
//	             program that sends it returns right after: the runtime
//	             stops, runs END and prints the maps.
//	EventPrint   print(@m[, top[, div]]): index = the map's position in
//	             Object.Maps; top at 8 and div at 16, 8-byte unsigned
//	             integers, 0 when not given (PrintMapRecordSize bytes).
//	EventClear   clear(@m): index = the map's position in Object.Maps;
//	             no payload. User space deletes every key.
//	EventZero    zero(@m): likewise; user space zeroes every value.
//	EventTime    time([fmt]): index = position of the strftime format in
//	             Object.TimeFormats; no payload. User space prints the
//	             current wall-clock time with it.
//	EventPrintValue
//	             print(value): index = position in Object.PrintValues,
//	             whose one argument gives the value's offset and type.
//	EventJoin    join(argv[, sep]): index = position of sep in
//	             Object.JoinSeps; the strings' count at 8, then the
//	             strings (join.go).
//	EventCat     cat(fmt, args...): index = position in Object.Cats; laid
//	             out as an EventPrintf record. User space formats the
//	             path and prints the file's contents.
//	EventRuntimeError
//	             index = position in Object.RuntimeErrors; no payload.
//	             User space prints the site's warning; the program goes
//	             on (a division or modulo by zero gives 1).
//	EventSystem  system(fmt, args...): index = position in
//	             Object.Systems; laid out as an EventPrintf record. User
//	             space formats the command, runs it with /bin/sh -c, waits
//	             for it and prints its standard output, in order with the
//	             other output (the event loop waits meanwhile).
const (
	EventPrintf       EventKind = 1
	EventExit         EventKind = 2
	EventPrint        EventKind = 3
	EventClear        EventKind = 4
	EventZero         EventKind = 5
	EventTime         EventKind = 6
	EventPrintValue   EventKind = 7
	EventJoin         EventKind = 8
	EventCat          EventKind = 9
	EventRuntimeError EventKind = 10
	EventSystem       EventKind = 11
)

// RuntimeError is a place in the script where a program can hit a runtime
// error that it survives, and the warning user space prints each time.
type RuntimeError struct {
	Pos, End ast.Pos
	Msg      string
	// Text is the warning as printed: position, message, the source line
	// and its underline (ast.Diagnostic.Render).
	Text string
}

// DivideByZeroMsg is current bpftrace's warning for a division or modulo
// by zero, whose result is then 1.
const DivideByZeroMsg = "Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result."

// EventKind is the upper half of a record's header.
type EventKind uint32

// EventHeader builds the 8-byte header of a record.
func EventHeader(kind EventKind, index uint32) uint64 {
	return uint64(kind)<<32 | uint64(index)
}

// SplitEventHeader is the inverse of EventHeader.
func SplitEventHeader(h uint64) (EventKind, uint32) {
	return EventKind(h >> 32), uint32(h)
}

// EventHeaderSize is the size of the record header.
const EventHeaderSize = 8

// ExitRecordSize is the size of an EventExit record.
const ExitRecordSize = 16

// PrintfFormat describes one printf call site.
type PrintfFormat struct {
	Pos    ast.Pos // the printf call
	Format string  // the format string, escapes resolved, as written otherwise
	// Args are the arguments in order: Offset is relative to the start of
	// the record (the first argument is at EventHeaderSize), Type the
	// argument's checked type, Size its bytes in the record.
	Args []Field
	Size int // the record's size in bytes, a multiple of 8
}

// The config map (MapConfig, reference ConfigName) is an array of one
// ConfigSize-byte element that the runtime fills before attaching anything:
const (
	// ConfigStartNs holds CLOCK_MONOTONIC nanoseconds (bpf_ktime_get_ns's
	// clock) at the script's start; `elapsed` is nsecs minus this.
	ConfigStartNs = 0
	// ConfigNcpus holds the number of possible CPUs (`ncpus`).
	ConfigNcpus = 8
	// ConfigCpid holds the pid of the command started with -c (`cpid`),
	// 0 without one.
	ConfigCpid = 16
	// ConfigSize is the size of the fixed part of the config value; the
	// addresses of Object.Symbols follow (SymbolSlot).
	ConfigSize = 24
)

// Names (asm references and CollectionSpec keys) of the internal maps.
// The scratch map (MapScratch) is a per-CPU array of one element where
// records too big for the BPF stack are built; user space never reads it.
//
// The drops map (MapDrops, reference DropsName) counts lost events: a
// BPF_MAP_TYPE_PERCPU_ARRAY of one element, key u32 0, value u64. When
// bpf_ringbuf_output fails (the buffer is full), the program adds 1 to it;
// the runtime sums the CPUs' counts and reports them at exit. Every Object
// with a ring buffer has one.
const (
	RingbufName = "ringbuf"
	DropsName   = "ringbuf_drops"
	ConfigName  = "config"
	ScratchName = "scratch"
)

// RingbufSize is the ring buffer's default size in bytes (a power of two
// multiple of the page size); Options.RingbufSize overrides it.
const RingbufSize = 1 << 20

// ringbufSize is the ring buffer's size: Options.RingbufSize rounded up to
// a power of two of at least a page, or RingbufSize.
func (c *compiler) ringbufSize() uint32 {
	n := c.opts.RingbufSize
	if n <= 0 {
		return RingbufSize
	}
	size := uint32(4096)
	for size < uint32(min(n, 1<<30)) {
		size <<= 1
	}
	return size
}
