package runtime

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/lang"
	"github.com/gbt-project/gbt/lang/ast"
)

// TestLoadCorpus loads into the kernel every corpus script that the checker
// accepts and the code generator supports, and counts them. A script the
// code generator refuses must be refused with positioned diagnostics.
func TestLoadCorpus(t *testing.T) {
	requireKernel(t)
	files, err := filepath.Glob("../testdata/corpus/*.bt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	kernel := NewKernelInfo(liveTracefs(t))
	var checked, loaded int
	var refused []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := lang.Parse(filepath.Base(f), src)
		if err != nil {
			continue
		}
		if lang.Check(prog, lang.CheckOptions{Params: []string{"1", "2"}}) != nil {
			continue
		}
		checked++
		obj, err := codegen.Compile(prog, codegen.Options{Kernel: kernel, Types: kernelTypes, Params: []string{"1", "2"}})
		if err != nil {
			var list ast.ErrorList
			if !errors.As(err, &list) {
				t.Errorf("%s: compile error without a position: %v", f, err)
			}
			refused = append(refused, filepath.Base(f)+": "+firstLine(err.Error()))
			continue
		}
		l, err := Load(obj)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		l.Close()
		loaded++
	}
	t.Logf("corpus: %d scripts, %d checked, %d loaded into the kernel", len(files), checked, loaded)
	for _, r := range refused {
		t.Logf("not supported yet: %s", r)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
