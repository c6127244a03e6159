package lang

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/lang/ast"
)

// script is a test input: a name and its source.
type script struct {
	name string
	src  []byte
}

// testScripts gathers the scripts of the parse goldens and of the shared
// corpus (which may not exist yet; once it does, every file must parse).
func testScripts(t testing.TB) []script {
	t.Helper()
	var out []script
	archives, _ := filepath.Glob("../testdata/parse/*.txtar")
	for _, path := range archives {
		ar, err := readArchive(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.files {
			if strings.HasSuffix(f.name, ".bt") {
				out = append(out, script{filepath.Base(path) + "/" + f.name, f.data})
			}
		}
	}
	corpus, _ := filepath.Glob("../testdata/corpus/*.bt")
	for _, path := range corpus {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, script{"corpus/" + filepath.Base(path), src})
	}
	return out
}

func dump(t testing.TB, prog *ast.Program) string {
	t.Helper()
	var b bytes.Buffer
	if err := ast.Dump(&b, prog, false); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestCorpusParses parses every corpus script without error and with
// valid spans.
func TestCorpusParses(t *testing.T) {
	for _, s := range testScripts(t) {
		prog, err := Parse(s.name, s.src)
		if err != nil {
			t.Errorf("%s:\n%s", s.name, err.(ast.ErrorList).Render(s.src))
			continue
		}
		checkSpans(t, s.name, s.src, prog)
	}
}

// TestRoundTrip checks Parse -> Format -> Parse gives the same tree, and
// that Format is idempotent.
func TestRoundTrip(t *testing.T) {
	for _, s := range testScripts(t) {
		prog, err := Parse(s.name, s.src)
		if err != nil {
			continue // reported by TestCorpusParses
		}
		text := ast.Format(prog)
		again, err := Parse(s.name, []byte(text))
		if err != nil {
			t.Errorf("%s: formatted text does not parse:\n%s\n%s", s.name, err.(ast.ErrorList).Render([]byte(text)), text)
			continue
		}
		if diff := cmp.Diff(dump(t, prog), dump(t, again)); diff != "" {
			t.Errorf("%s: tree changed by formatting (-orig +formatted):\n%s", s.name, diff)
		}
		if text2 := ast.Format(again); text2 != text {
			t.Errorf("%s: Format is not idempotent:\n%s", s.name, cmp.Diff(text, text2))
		}
	}
}

// FuzzParse: Parse never panics; it returns a program, and either an error
// whose every diagnostic has a valid position inside the source, or a
// program whose formatted text parses to the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range testScripts(f) {
		f.Add(s.src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		prog, err := Parse("fuzz.bt", src)
		if prog == nil {
			t.Fatal("nil program")
		}
		if err != nil {
			list, ok := err.(ast.ErrorList)
			if !ok || len(list) == 0 {
				t.Fatalf("error %T %v is not a non-empty ErrorList", err, err)
			}
			for _, d := range list {
				if strings.HasPrefix(d.Msg, "internal error") {
					t.Fatalf("parser panicked: %s", d.Msg)
				}
				if !d.Pos.IsValid() || d.End.Offset < d.Pos.Offset || d.End.Offset > len(src) {
					t.Fatalf("bad diagnostic position %v-%v (len %d): %s", d.Pos, d.End, len(src), d.Msg)
				}
				d.Render(src)
			}
			return
		}
		text := ast.Format(prog)
		again, err := Parse("fuzz.bt", []byte(text))
		if err != nil {
			t.Fatalf("formatted text does not parse: %v\n%s", err, text)
		}
		if diff := cmp.Diff(dump(t, prog), dump(t, again)); diff != "" {
			t.Fatalf("tree changed by formatting:\n%s", diff)
		}
	})
}

// BenchmarkParse parses each corpus script; ns/op is per script.
func BenchmarkParse(b *testing.B) {
	var scripts []script
	for _, s := range testScripts(b) {
		if strings.HasPrefix(s.name, "corpus/") {
			scripts = append(scripts, s)
		}
	}
	if len(scripts) == 0 {
		b.Skip("testdata/corpus has no scripts yet")
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s := scripts[i%len(scripts)]
		if _, err := Parse(s.name, s.src); err != nil {
			b.Fatal(err)
		}
	}
}
