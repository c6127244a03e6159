package codegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Every script the code generator compiles (the codegen goldens and the
// corpus) survives JSON: the decoded Object equals the first, its listing
// too, encoding it again gives the same bytes, and the BTF function
// information of programs with callbacks comes back.
func TestEncodeRoundTrip(t *testing.T) {
	var scripts []string
	goldens, _ := filepath.Glob("../testdata/codegen/*.txtar")
	for _, file := range goldens {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, tf := range parseTxtar(data) {
			if tf.name == "script.bt" {
				scripts = append(scripts, tf.data)
			}
		}
	}
	corpus, _ := filepath.Glob("../testdata/corpus/*.bt")
	for _, file := range corpus {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		scripts = append(scripts, string(data))
	}
	compiled, withFuncs := 0, 0
	for _, src := range scripts {
		obj, err := compileSrc(src)
		if err != nil {
			continue // refused scripts are other tests' business
		}
		compiled++
		first, err := json.Marshal(obj)
		if err != nil {
			t.Fatalf("%s: Marshal: %v", src, err)
		}
		back := new(Object)
		if err := json.Unmarshal(first, back); err != nil {
			t.Fatalf("%s: Unmarshal: %v", src, err)
		}
		if diff := cmp.Diff(obj.Listing(), back.Listing()); diff != "" {
			t.Errorf("%s: listing changed by JSON (-before +after):\n%s", src, diff)
		}
		if diff := cmp.Diff(obj, back, sameInsns, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: Object changed by JSON (-before +after):\n%s", src, diff)
		}
		second, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Errorf("%s: encoding the decoded Object differs", src)
		}
		for i, p := range obj.Programs {
			for j := range p.Insns {
				want, got := btf.FuncMetadata(&p.Insns[j]), btf.FuncMetadata(&back.Programs[i].Insns[j])
				if (want == nil) != (got == nil) || want != nil && (want.Name != got.Name || want.Linkage != got.Linkage) {
					t.Errorf("%s: program %s instruction %d: BTF function %v, decoded %v", src, p.Name, j, want, got)
				}
				if want != nil {
					withFuncs++
				}
			}
		}
	}
	if compiled < 50 || withFuncs == 0 {
		t.Errorf("only %d scripts compiled, %d functions with BTF information: the test covers too little", compiled, withFuncs)
	}
}

// sameInsns compares instructions by what a saved Object keeps of them.
var sameInsns = cmp.Comparer(func(a, b asm.Instructions) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.OpCode != y.OpCode || x.Dst != y.Dst || x.Src != y.Src || x.Offset != y.Offset || x.Constant != y.Constant ||
			x.Reference() != y.Reference() || x.Symbol() != y.Symbol() || fmt.Sprint(x.Source()) != fmt.Sprint(y.Source()) {
			return false
		}
	}
	return true
})

func TestUnmarshalRefuses(t *testing.T) {
	in := `{"Name": "p", "Insns": [{"op": 183, "func": "odd"}]}`
	var p Program
	if err := json.Unmarshal([]byte(in), &p); err == nil || !strings.Contains(err.Error(), "unknown kind of function") {
		t.Errorf("Unmarshal(%s) = %v, want an error about the function kind", in, err)
	}
}
