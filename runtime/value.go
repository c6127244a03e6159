// Package runtime loads a compiled program into the kernel, attaches its
// probes, runs the event loop and prints what the program produces.
//
// Printing is independent of the kernel: the runtime decodes event records
// and map entries into Values (value.go), a small model of integers with
// their width, strings, buffers, tuples, symbolized stacks and aggregate
// values, and hands them to an Output. TextOutput reproduces bpftrace
// 0.17's text byte for byte and JSONOutput its `-f json` lines; printf
// formats are parsed once (Format) and applied per event with C's rules.
// The printing tests are differential: each case is described in Go and as
// a bpftrace script whose real output is the golden (testdata/print).
//
// User space and symbols: uprobes and usdt probes find their binaries as
// bpftrace does (ResolveBinaryIn: paths, $PATH, ld.so.cache, a -p
// process's maps), their functions in the ELF symbol tables (elfsym.go)
// and their probes in the SDT notes (usdt.go); HostUserInfo hands both to
// the code generator, which compiles one program per USDT location with
// its argument locations. Stacks and symbols are ids and addresses in the
// programs' values; the decoder reads the frames from the stack maps and
// names them with a Symbolizer (kallsyms, and each process's memory map,
// read when a program first announces the process, and followed while the
// -p or -c target lives), so user stacks resolve after the process has
// exited. Run fills the config map with what only the host knows: the -c
// command's pid (cpid) and the addresses of kaddr() and uaddr() symbols.
package runtime

import (
	"strconv"

	"github.com/gbt-project/gbt/lang/ast"
)

// ValueKind says which fields of a Value are meaningful.
type ValueKind uint8

const (
	ValNone   ValueKind = iota // no value (prints as nothing)
	ValInt                     // Bits, Width, Signed
	ValString                  // Str: text; ksym, usym, username, ntop, strftime and probe results are strings too
	ValBuffer                  // Str: raw bytes from buf(), printed with \xNN escapes
	ValTuple                   // Elems
	ValStack                   // Stack
	ValAvg                     // avg() and stats(): Count and Bits (the total; Signed says how to read it)
	ValHist                    // Hist: hist() or lhist()
)

// Value is one decoded value: a printf argument, a map key part, a map value
// or the argument of print(). It is independent of the kernel byte layout:
// the runtime decodes map and event bytes into Values, and the printers only
// ever see Values. A Value is plain data and safe to copy.
type Value struct {
	Kind   ValueKind
	Signed bool   // ValInt, ValAvg: read Bits as a two's complement integer
	Width  uint8  // ValInt: size in bytes (1, 2, 4 or 8); printf's length modifiers truncate to it
	Bits   uint64 // ValInt: the integer, sign-extended to 64 bits when Signed; ValAvg: the total
	Count  uint64 // ValAvg: how many values were aggregated
	Str    string // ValString, ValBuffer
	Elems  []Value
	Stack  *Stack
	Hist   *Hist
}

// Int returns a signed 64-bit integer value.
func Int(v int64) Value { return Value{Kind: ValInt, Signed: true, Width: 8, Bits: uint64(v)} }

// Uint returns an unsigned 64-bit integer value.
func Uint(v uint64) Value { return Value{Kind: ValInt, Width: 8, Bits: v} }

// IntOf returns an integer of the given width in bytes whose low bits are
// bits: unsigned values are truncated to the width, signed ones are also
// sign-extended, as the kernel's narrower integer types read back.
func IntOf(bits uint64, width int, signed bool) Value {
	if width <= 0 || width > 8 {
		width = 8
	}
	if width < 8 {
		shift := uint(64 - 8*width)
		if signed {
			bits = uint64(int64(bits<<shift) >> shift)
		} else {
			bits = bits << shift >> shift
		}
	}
	return Value{Kind: ValInt, Signed: signed, Width: uint8(width), Bits: bits}
}

// Str returns a string value.
func Str(s string) Value { return Value{Kind: ValString, Str: s} }

// Buffer returns a byte buffer value (buf()).
func Buffer(b []byte) Value { return Value{Kind: ValBuffer, Str: string(b)} }

// Tuple returns a tuple of the given elements.
func Tuple(elems ...Value) Value { return Value{Kind: ValTuple, Elems: elems} }

// StackValue returns a symbolized stack.
func StackValue(s *Stack) Value { return Value{Kind: ValStack, Stack: s} }

// Avg returns an avg() or stats() aggregate of count values adding up to
// total; signed says whether the aggregated values were signed.
func Avg(count uint64, total int64, signed bool) Value {
	return Value{Kind: ValAvg, Signed: signed, Count: count, Bits: uint64(total)}
}

// HistValue returns a hist() or lhist() aggregate.
func HistValue(h *Hist) Value { return Value{Kind: ValHist, Hist: h} }

// Int64 returns an integer value as a signed integer.
func (v Value) Int64() int64 { return int64(v.Bits) }

// Average returns the integer average of an avg() or stats() aggregate,
// rounded toward zero, and 0 when nothing was aggregated.
func (v Value) Average() Value {
	if v.Count == 0 {
		return Value{Kind: ValInt, Signed: v.Signed, Width: 8}
	}
	if v.Signed {
		return Int(int64(v.Bits) / int64(v.Count))
	}
	return Uint(v.Bits / v.Count)
}

// div divides an integer value by d (print's div argument), keeping its
// signedness; d == 0 leaves it unchanged.
func (v Value) div(d uint64) Value {
	if d == 0 || d == 1 || v.Kind != ValInt {
		return v
	}
	if v.Signed {
		v.Bits = uint64(int64(v.Bits) / int64(d))
	} else {
		v.Bits /= d
	}
	return v
}

// appendInt appends the decimal form of an integer value.
func (v Value) appendInt(b []byte) []byte {
	if v.Signed {
		return strconv.AppendInt(b, int64(v.Bits), 10)
	}
	return strconv.AppendUint(b, v.Bits, 10)
}

// StackMode is how a stack is rendered (kstack(perf), ustack(bpftrace)).
type StackMode uint8

const (
	StackBpftrace StackMode = iota // one indented symbol per frame
	StackPerf                      // "\t<hex address> <symbol>[ (<module>)]" per frame, as perf script prints
)

// Stack is a symbolized kernel or user stack, innermost frame first.
type Stack struct {
	Mode   StackMode
	User   bool
	Frames []Frame
}

// Frame is one stack frame. Sym is "function+offset", or "" when the address
// did not resolve (the frame then prints as its hexadecimal address). Module
// is the user-space object the address belongs to ("" when unknown).
type Frame struct {
	Addr   uint64
	Sym    string
	Module string
}

// Hist is a histogram aggregate: log2 buckets as bpftrace indexes them
// (hist()) or linear buckets (lhist()).
//
// Log2 layout, with N = 1<<K sub-buckets per power of two: bucket 0 counts
// negative values; buckets 1..2N count the single values 0..2N-1; after
// that each power of two [2^p, 2^(p+1)) is split into N equal intervals.
// K is 0 for bpftrace's classic hist(): [0], [1], [2, 4), [4, 8), ...
//
// Linear layout: bucket 0 counts values below Min, buckets 1..n the steps
// [Min+(i-1)*Step, Min+i*Step) where n = (Max-Min)/Step, and bucket n+1
// the values from Max up.
type Hist struct {
	Linear         bool
	K              int // log2: sub-bucket bits (0..5)
	Min, Max, Step int64
	Buckets        []uint64
}

// Total returns the number of values counted in all buckets.
func (h *Hist) Total() uint64 {
	var t uint64
	for _, c := range h.Buckets {
		t += c
	}
	return t
}

// Map is the decoded content of one map, ready to print.
type Map struct {
	Name    string      // "@x", or "@" for the bare map
	Agg     ast.AggKind // the aggregation its values hold; AggNone for plain values
	Keyed   bool        // whether the map is indexed (@x[k]) rather than a single value (@x)
	Entries []Entry     // in any order: the printers sort
}

// Entry is one key/value pair of a map. Key has one Value per key part
// (none for an unkeyed map).
type Entry struct {
	Key   []Value
	Value Value
}

// PrintOpts are print()'s optional arguments: print only the Top entries
// with the largest values (0: all) and divide values by Div (0 or 1: as is).
type PrintOpts struct {
	Top uint64
	Div uint64
}
