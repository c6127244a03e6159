package runtime

import (
	"encoding/binary"

	"github.com/cilium/ebpf"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/lang/ast"
)

// stackDecoder reads the stacks and symbols of a loaded Object's values:
// the frames of kstack and ustack values from the stack maps (codegen's
// stacks.go), and the names of ksym, usym and func values, resolved with
// a Symbolizer. User addresses resolve through the process's memory maps,
// which the Symbolizer caches from when they were first read: read them
// while the process lives (Watch does it for the -p and -c process).
type stackDecoder struct {
	maps map[string]*ebpf.Map
	sym  *Symbolizer
}

// withMaps lets the decoder read the stack maps among maps, a loaded
// Object's maps by name.
func (d *decoder) withMaps(maps map[string]*ebpf.Map) *decoder {
	d.stacks.maps = maps
	d.stacks.sym = NewSymbolizer()
	return d
}

// stack decodes a kstack or ustack value (8 bytes at b, see codegen's
// stacks.go).
func (d *decoder) stack(t *ast.Type, b []byte) Value {
	id, limit, pid := codegen.SplitStack(binary.NativeEndian.Uint64(b))
	mode := stackMode(t.StackMode)
	var addrs []uint64
	if m := d.stacks.maps[codegen.StackMapName(t.User, limit)]; m != nil && id >= 0 {
		var raw []byte
		if err := m.Lookup(uint32(id), &raw); err == nil {
			for i := 0; i+8 <= len(raw); i += 8 {
				a := binary.NativeEndian.Uint64(raw[i:])
				if a == 0 {
					break
				}
				addrs = append(addrs, a)
			}
		}
	}
	if t.User {
		return StackValue(d.symbolizer().UserStack(pid, addrs, mode))
	}
	return StackValue(d.symbolizer().KernelStack(addrs, mode))
}

// symbol decodes a ksym value (8 bytes: the address) or a usym value
// (codegen.UsymSize bytes: the address, then the pid).
func (d *decoder) symbol(t *ast.Type, b []byte) Value {
	addr := binary.NativeEndian.Uint64(b)
	if t.User {
		if len(b) < codegen.UsymSize {
			return Str(hexAddr(addr))
		}
		return Str(d.symbolizer().Usym(int(binary.NativeEndian.Uint64(b[8:])), addr))
	}
	return Str(d.symbolizer().Ksym(addr))
}

// process handles an EventProcess record, sent when the programs take the
// first user stack of a process: its memory map is read now, while it
// lives, for its stacks to resolve after it has exited.
func (d *decoder) process(rec []byte) {
	if len(rec) >= codegen.ProcessRecordSize {
		d.symbolizer().remember(int(binary.NativeEndian.Uint64(rec[8:])))
	}
}

func (d *decoder) symbolizer() *Symbolizer {
	if d.stacks.sym == nil {
		d.stacks.sym = NewSymbolizer()
	}
	return d.stacks.sym
}

// stackMode translates the stack mode of a kstack or ustack type.
func stackMode(name string) StackMode {
	switch name {
	case "perf":
		return StackPerf
	case "raw":
		return StackRaw
	}
	return StackBpftrace
}
