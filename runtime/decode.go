package runtime

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/lang/ast"
)

// decoder turns the bytes of event records and map entries, laid out as
// codegen.Layout describes, into Values for the printers.
type decoder struct {
	obj    *codegen.Object
	users  *userNames
	boot   int64 // bootOffset: CLOCK_MONOTONIC to wall-clock nanoseconds
	stacks stackDecoder
}

func newDecoder(obj *codegen.Object) *decoder {
	return &decoder{obj: obj, users: newUserNames(), boot: bootOffset()}
}

// field decodes one layout leaf (or tuple) found at b[f.Offset:].
func (d *decoder) field(b []byte, f codegen.Field) Value {
	if f.Offset+f.Size > len(b) {
		return Value{}
	}
	at := b[f.Offset:]
	t := f.Type
	switch t.Kind {
	case ast.KString:
		s := at[:f.Size]
		if i := bytes.IndexByte(s, 0); i >= 0 {
			s = s[:i]
		}
		return Str(string(s))
	case ast.KTuple:
		elems := make([]Value, len(f.Elems))
		for i, e := range f.Elems {
			e.Offset += f.Offset
			elems[i] = d.field(b, e)
		}
		return Tuple(elems...)
	case ast.KProbeName:
		i := binary.NativeEndian.Uint64(at)
		if i < uint64(len(d.obj.Programs)) {
			return Str(d.obj.Programs[i].Probe)
		}
		return Str(fmt.Sprintf("probe#%d", i))
	case ast.KUsername:
		return Str(d.users.name(uint32(binary.NativeEndian.Uint64(at))))
	case ast.KInt:
		return IntOf(binary.NativeEndian.Uint64(at), t.Size, t.Signed)
	case ast.KAgg:
		// An aggregation's value as a for loop over its map gives it.
		return IntOf(binary.NativeEndian.Uint64(at), 8, t.Signed)
	case ast.KTimestamp:
		return d.timestamp(at)
	case ast.KStack:
		return d.stack(t, at)
	case ast.KSymbol:
		return d.symbol(t, at[:f.Size])
	case ast.KBuffer:
		// buf(): an 8-byte length, then the bytes (codegen.Layout).
		n := min(binary.NativeEndian.Uint64(at), uint64(max(t.Size, 0)), uint64(max(f.Size-8, 0)))
		return Buffer(at[8 : 8+n])
	}
	// Booleans, pointers and anything else 8 bytes wide print as integers.
	return Uint(binary.NativeEndian.Uint64(at))
}

// layout decodes a whole key or value: the parts of a multi-part key are
// returned separately, as the printers want them.
func (d *decoder) key(m *codegen.Map, b []byte) []Value {
	if m.KeyType == nil || m.Key == nil {
		return nil
	}
	v := d.field(b, m.Key.Fields[0])
	if v.Kind == ValTuple && m.KeyType.Kind == ast.KTuple {
		for i, e := range m.KeyType.Elems {
			if i < len(v.Elems) && e.Kind == ast.KPointer {
				v.Elems[i] = hexPointer(v.Elems[i])
			}
		}
		return v.Elems
	}
	if m.KeyType.Kind == ast.KPointer {
		v = hexPointer(v)
	}
	return []Value{v}
}

// hexPointer is a pointer as bpftrace prints it in a map key: 0x and its
// hexadecimal address (a pointer value prints as a decimal integer).
func hexPointer(v Value) Value {
	return Str("0x" + strconv.FormatUint(v.Bits, 16))
}

// readMap reads a script map from the kernel into a Map, combining the
// per-CPU values of aggregations.
func (d *decoder) readMap(m *codegen.Map, em *ebpf.Map) (*Map, error) {
	if m.Hist != nil {
		return d.readHist(m, em)
	}
	out := &Map{Name: m.ScriptName, Agg: m.Agg, Keyed: m.KeyType != nil}
	perCPU := m.Type == ebpf.PerCPUHash || m.Type == ebpf.PerCPUArray
	key := make([]byte, m.KeySize)
	it := em.Iterate()
	if perCPU {
		var vals [][]byte
		for it.Next(&key, &vals) {
			out.Entries = append(out.Entries, Entry{Key: d.key(m, key), Value: d.combine(m, vals)})
		}
	} else {
		var val []byte
		for it.Next(&key, &val) {
			out.Entries = append(out.Entries, Entry{Key: d.key(m, key), Value: d.value(m, val)})
		}
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", m.ScriptName, err)
	}
	return out, nil
}

func (d *decoder) value(m *codegen.Map, b []byte) Value {
	if m.Value == nil || len(m.Value.Fields) == 0 {
		return Value{}
	}
	return d.field(b, m.Value.Fields[0])
}

// combine folds the CPUs' values of an aggregation into one, as described
// at codegen.Map.Agg.
func (d *decoder) combine(m *codegen.Map, cpus [][]byte) Value {
	signed := m.ValueType != nil && m.ValueType.Signed
	u64 := func(b []byte, off int) uint64 { return binary.NativeEndian.Uint64(b[off:]) }
	switch m.Agg {
	case ast.AggCount, ast.AggSum:
		var total uint64
		for _, b := range cpus {
			total += u64(b, 0)
		}
		if m.Agg == ast.AggSum && signed {
			return Int(int64(total))
		}
		return Uint(total)
	case ast.AggMin, ast.AggMax:
		var best uint64
		have := false
		for _, b := range cpus {
			if u64(b, 8) == 0 {
				continue
			}
			v := u64(b, 0)
			if !have || better(m.Agg, v, best, signed) {
				best, have = v, true
			}
		}
		if signed {
			return Int(int64(best))
		}
		return Uint(best)
	case ast.AggAvg, ast.AggStats:
		var count, total uint64
		for _, b := range cpus {
			count += u64(b, 0)
			total += u64(b, 8)
		}
		return Avg(count, int64(total), signed)
	}
	if len(cpus) > 0 {
		return d.value(m, cpus[0])
	}
	return Value{}
}

// timestamp decodes a strftime() value (codegen.TimestampSize bytes): the
// nanoseconds of bpf_ktime_get_ns's clock, then the format's index in
// Object.TimeFormats. It prints as the formatted wall-clock time.
func (d *decoder) timestamp(b []byte) Value {
	if len(b) < codegen.TimestampSize {
		return Value{}
	}
	ns := int64(binary.NativeEndian.Uint64(b))
	i := binary.NativeEndian.Uint64(b[8:])
	if i >= uint64(len(d.obj.TimeFormats)) {
		return Str(fmt.Sprintf("timestamp#%d", ns))
	}
	return Str(Strftime(d.obj.TimeFormats[i], time.Unix(0, ns+d.boot)))
}

func better(agg ast.AggKind, v, best uint64, signed bool) bool {
	less := v < best
	if signed {
		less = int64(v) < int64(best)
	}
	if agg == ast.AggMin {
		return less
	}
	return !less && v != best
}
