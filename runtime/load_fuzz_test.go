package runtime

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/lang"
)

// FuzzCompileLoad: every script that parses, checks and compiles also
// passes the kernel's verifier, except loops the verifier cannot bound.
func FuzzCompileLoad(f *testing.F) {
	files, _ := filepath.Glob("../testdata/corpus/*.bt")
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(string(src))
		}
	}
	f.Add(`BEGIN { $a = 1; $b = $a ? (2, "x") : (3, "y"); @m[$b.1, $a] = sum($b.0); printf("%s %d\n", $b.1, @m["x", 1] > 0 ? 1 : 2); }`)
	f.Fuzz(func(t *testing.T, src string) {
		requireKernel(t)
		prog, err := lang.Parse("fuzz.bt", []byte(src))
		if err != nil || lang.Check(prog, lang.CheckOptions{Params: []string{"1", "x"}}) != nil {
			return
		}
		obj, err := codegen.Compile(prog, codegen.Options{Kernel: NewKernelInfo(liveTracefs(t)), Types: kernelTypes, Params: []string{"1", "x"}})
		if err != nil {
			return
		}
		l, err := Load(obj)
		if err != nil {
			if strings.Contains(src, "while") || strings.Contains(src, "for") {
				return
			}
			t.Fatalf("%v\n%s", err, obj.Listing())
		}
		l.Close()
	})
}
