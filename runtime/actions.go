package runtime

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gbt-project/gbt/codegen"
)

// The actions programs ask user space to perform in order with the printf
// stream (codegen/events.go): print(@m), clear(@m), zero(@m), time() and
// print(value). They run on the event loop's goroutine, while the probes
// keep running, as in bpftrace.

// scriptMap returns the script map at position index of Object.Maps and
// the kernel's map.
func (r *run) scriptMap(index uint32) (*codegen.Map, *ebpf.Map, error) {
	if int(index) >= len(r.obj.Maps) || r.obj.Maps[index].Kind != codegen.MapScript {
		return nil, nil, fmt.Errorf("record names unknown map %d", index)
	}
	m := r.obj.Maps[index]
	em := r.l.Maps[m.Name]
	if em == nil {
		return nil, nil, fmt.Errorf("map %s is not loaded", m.ScriptName)
	}
	return m, em, nil
}

// printMap handles an EventPrint record: print(@m[, top[, div]]).
func (r *run) printMap(rec []byte, index uint32) error {
	m, em, err := r.scriptMap(index)
	if err != nil {
		return err
	}
	var opts PrintOpts
	if len(rec) >= codegen.PrintMapRecordSize {
		opts.Top = binary.NativeEndian.Uint64(rec[8:])
		opts.Div = binary.NativeEndian.Uint64(rec[16:])
	}
	mm, err := r.dec.readMap(m, em)
	if err != nil {
		return err
	}
	r.out.Map(mm, opts)
	return nil
}

// resetMap handles EventClear (delete every key) and EventZero (set every
// value to zero, on every CPU for per-CPU maps).
func (r *run) resetMap(kind codegen.EventKind, index uint32) error {
	m, em, err := r.scriptMap(index)
	if err != nil {
		return err
	}
	return resetKernelMap(m, em, kind == codegen.EventClear)
}

// resetKernelMap deletes every key of em (clear) or sets every value to
// zero (zero). The REPL's clear and zero commands use it too.
func resetKernelMap(m *codegen.Map, em *ebpf.Map, clear bool) error {
	what := "zero"
	if clear {
		what = "clear"
	}
	keys, err := mapKeys(em, int(m.KeySize))
	if err != nil {
		return fmt.Errorf("%s(%s): %w", what, m.ScriptName, err)
	}
	var zero any = make([]byte, m.ValueSize)
	if m.Type == ebpf.PerCPUHash || m.Type == ebpf.PerCPUArray {
		n, err := ebpf.PossibleCPU()
		if err != nil {
			return err
		}
		cpus := make([][]byte, n)
		for i := range cpus {
			cpus[i] = make([]byte, m.ValueSize)
		}
		zero = cpus
	}
	for _, k := range keys {
		if clear {
			err = em.Delete(k)
		} else {
			err = em.Update(k, zero, ebpf.UpdateExist)
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			err = nil
		}
		if err != nil {
			return fmt.Errorf("%s(%s): %w", what, m.ScriptName, err)
		}
	}
	return nil
}

// mapKeys returns every key of em, read before any is changed.
func mapKeys(em *ebpf.Map, size int) ([][]byte, error) {
	var keys [][]byte
	var prev any // nil: start from the first key
	for {
		next := make([]byte, size)
		err := em.NextKey(prev, &next)
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return keys, nil
		}
		if err != nil {
			return nil, err
		}
		keys = append(keys, next)
		prev = next
	}
}

// printTime handles an EventTime record: time(fmt) prints the wall-clock
// time now, formatted with Object.TimeFormats[index].
func (r *run) printTime(index uint32) error {
	if int(index) >= len(r.obj.TimeFormats) {
		return fmt.Errorf("time record with unknown format %d", index)
	}
	r.out.Time(Strftime(r.obj.TimeFormats[index], time.Now()))
	return nil
}

// printValue handles an EventPrintValue record: print(value).
func (r *run) printValue(rec []byte, index uint32) error {
	if int(index) >= len(r.obj.PrintValues) || len(r.obj.PrintValues[index].Args) != 1 {
		return fmt.Errorf("print record with unknown value %d", index)
	}
	r.out.Value(r.dec.field(rec, r.obj.PrintValues[index].Args[0]))
	return nil
}
