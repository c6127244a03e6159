package runtime

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A keyed histogram is one kernel entry per (key, bucket); reading it
// gathers each key's buckets, delete() removes every bucket of a key and
// has_key() finds a key through any of its buckets.
func TestHistKeys(t *testing.T) {
	requireKernel(t)
	obj := compileLive(t, `BEGIN {
		@h[1, "a"] = hist(5); @h[1, "a"] = hist(6); @h[1, "a"] = hist(5000);
		@h[2, "b"] = hist(-3); @h[2, "b"] = hist(100); @h[3, "c"] = hist(0); @h[3, "c"] = hist(1 << 40);
		delete(@h[2, "b"]);
		@has = has_key(@h, (1, "a")); @gone = has_key(@h, (2, "b"));
	}`)
	l := loadLive(t, obj)
	if _, err := RunOnce(l.Programs[obj.Programs[0].Name]); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range obj.Maps {
		if m.ScriptName == "" {
			continue
		}
		mm, err := newDecoder(obj).readMap(m, l.Maps[m.Name])
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range mm.Entries {
			v := fmt.Sprint(e.Value.Bits)
			if h := e.Value.Hist; h != nil {
				v = fmt.Sprint(nonZero(h))
			}
			k := m.ScriptName
			for _, p := range e.Key {
				k += fmt.Sprintf(" %d%s", p.Bits, p.Str)
			}
			got[k] = v
		}
		if m.Hist != nil {
			keys, err := mapKeys(l.Maps[m.Name], int(m.KeySize))
			if err != nil {
				t.Fatal(err)
			}
			if n := scriptKeys(m, keys); n != len(mm.Entries) {
				t.Errorf("scriptKeys: %d keys, want %d", n, len(mm.Entries))
			}
		}
	}
	want := map[string]string{
		"@h 1 0a": "[4:2 14:1]",
		"@h 3 0c": "[1:1 42:1]",
		"@has":    "1",
		"@gone":   "0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("maps (-want +got):\n%s", diff)
	}
}

// nonZero lists a histogram's non-empty buckets as "index:count".
func nonZero(h *Hist) []string {
	var out []string
	for i, c := range h.Buckets {
		if c != 0 {
			out = append(out, fmt.Sprintf("%d:%d", i, c))
		}
	}
	return out
}
