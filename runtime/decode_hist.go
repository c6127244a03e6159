package runtime

import (
	"encoding/binary"
	"fmt"

	"github.com/cilium/ebpf"

	"github.com/gbt-project/gbt/codegen"
)

// readHist reads a hist() or lhist() map, whose entries are one bucket
// each (codegen.HistSpec): the key's last 8 bytes are the bucket index and
// the per-CPU values its counters. The buckets of each script key are
// gathered into one Hist, in the order the keys are first met.
func (d *decoder) readHist(m *codegen.Map, em *ebpf.Map) (*Map, error) {
	out := &Map{Name: m.ScriptName, Agg: m.Agg, Keyed: m.KeyType != nil}
	byKey := map[string]*Hist{}
	key := make([]byte, m.KeySize)
	var cpus [][]byte
	it := em.Iterate()
	for it.Next(&key, &cpus) {
		h := d.histEntry(m, out, byKey, key)
		if h == nil {
			continue
		}
		i := binary.NativeEndian.Uint64(key[len(key)-8:])
		if i >= uint64(len(h.Buckets)) {
			continue
		}
		for _, b := range cpus {
			if len(b) >= 8 {
				h.Buckets[i] += binary.NativeEndian.Uint64(b)
			}
		}
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", m.ScriptName, err)
	}
	return out, nil
}

// histEntry returns the Hist of the script key that begins key, adding an
// entry to out for a key not met before.
func (d *decoder) histEntry(m *codegen.Map, out *Map, byKey map[string]*Hist, key []byte) *Hist {
	spec := m.Hist
	if spec == nil || len(key) < 8 {
		return nil
	}
	prefix := key[:len(key)-8]
	if h := byKey[string(prefix)]; h != nil {
		return h
	}
	h := &Hist{Linear: spec.Linear, K: spec.K, Min: spec.Min, Max: spec.Max, Step: spec.Step,
		Buckets: make([]uint64, spec.Buckets)}
	byKey[string(prefix)] = h
	out.Entries = append(out.Entries, Entry{Key: d.key(m, prefix), Value: HistValue(h)})
	return h
}

// scriptKeys counts the script's keys among a map's kernel keys: for a
// hist() or lhist() map, the keys with their bucket index left out.
func scriptKeys(m *codegen.Map, keys [][]byte) int {
	if m.Hist == nil {
		return len(keys)
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if len(k) >= 8 {
			seen[string(k[:len(k)-8])] = true
		}
	}
	return len(seen)
}
