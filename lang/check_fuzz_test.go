package lang

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gbt-project/gbt/lang/ast"
)

// FuzzCheck parses and checks arbitrary scripts, seeded with the corpus and
// the error files. Invariant: no panic, and either a clean program whose
// every map is typed or an ErrorList whose every diagnostic has a position.
func FuzzCheck(f *testing.F) {
	for _, pattern := range []string{"../testdata/corpus/*.bt", "../testdata/errors/*.bt"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if src, err := os.ReadFile(file); err == nil {
				f.Add(string(src))
			}
		}
	}
	f.Add(`BEGIN { @x[pid, comm] = count(); $y = @x[1, "a"]; }`)
	f.Fuzz(func(t *testing.T, src string) {
		prog, err := Parse("fuzz.bt", []byte(src))
		if err == nil {
			err = Check(prog, CheckOptions{Params: []string{"1", "x"}})
		}
		if err == nil {
			for _, m := range prog.Maps {
				if m.Value == nil {
					t.Fatalf("map %s has no value type", m.Name)
				}
			}
			return
		}
		list, ok := err.(ast.ErrorList)
		if !ok || len(list) == 0 {
			t.Fatalf("error is %T %v, want a non-empty ast.ErrorList", err, err)
		}
		for _, d := range list {
			if !d.Pos.IsValid() {
				t.Fatalf("diagnostic without a position: %q", d.Msg)
			}
		}
	})
}

// BenchmarkParseCheck parses and checks every corpus script; the reported
// time is per script.
func BenchmarkParseCheck(b *testing.B) {
	files := corpusFiles(b)
	if len(files) == 0 {
		b.Skip("no corpus")
	}
	srcs := make([][]byte, len(files))
	for i, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		srcs[i] = src
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src := srcs[i%len(srcs)]
		prog, err := Parse("bench.bt", src)
		if err != nil {
			continue
		}
		_ = Check(prog, CheckOptions{})
	}
}
