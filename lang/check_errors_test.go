package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/google/go-cmp/cmp"
)

// Error cases live in testdata/errors/*.bt, one script per file, with the
// expected diagnostics written inline as comment lines under the line they
// concern:
//
//	BEGIN { @x = pdi; }
//	//           ^~~ ERROR Unknown identifier: 'pdi'
//	//               HINT did you mean 'pid'?
//
// The '^' sits in the column where the diagnostic starts (columns count
// bytes, so error files indent with spaces); each '~' after it extends the
// expected span by one byte, and a lone '^' leaves the end unchecked. The
// text after ERROR is the exact message. A HINT line right after an ERROR
// line gives that diagnostic's exact hint; without one, the hint is not
// checked. Several ERROR lines in a row all point into the last line that is
// not a marker. The script is parsed, and checked when it parses; every
// diagnostic must be expected and every expected one must be reported.

var markerRE = regexp.MustCompile(`^(\s*//\s*)(\^~*)\s+ERROR\s+(.*)$`)
var hintRE = regexp.MustCompile(`^\s*//\s*HINT\s+(.*)$`)

type expectedDiag struct {
	line, col, end int // end 0: unchecked
	msg, hint      string
	hintSet        bool
}

func (e expectedDiag) String() string {
	s := fmt.Sprintf("%d:%d", e.line, e.col)
	if e.end > 0 {
		s += fmt.Sprintf("-%d", e.end)
	}
	s += ": " + e.msg
	if e.hintSet {
		s += " [hint: " + e.hint + "]"
	}
	return s
}

func parseMarkers(t *testing.T, src string) []expectedDiag {
	var out []expectedDiag
	target := 0
	for i, line := range strings.Split(src, "\n") {
		n := i + 1
		if m := markerRE.FindStringSubmatch(line); m != nil {
			if target == 0 {
				t.Fatalf("line %d: marker before any source line", n)
			}
			col := len(m[1]) + 1
			e := expectedDiag{line: target, col: col, msg: strings.TrimSpace(m[3])}
			if len(m[2]) > 1 {
				e.end = col + len(m[2])
			}
			out = append(out, e)
			continue
		}
		if m := hintRE.FindStringSubmatch(line); m != nil && len(out) > 0 {
			out[len(out)-1].hint, out[len(out)-1].hintSet = strings.TrimSpace(m[1]), true
			continue
		}
		target = n
	}
	return out
}

// diagnose parses and checks src and returns its diagnostics.
func diagnose(name string, src []byte, params ...string) ast.ErrorList {
	prog, err := Parse(name, src)
	if err == nil {
		err = Check(prog, CheckOptions{Params: params})
	}
	if err == nil {
		return nil
	}
	list, ok := err.(ast.ErrorList)
	if !ok {
		return ast.ErrorList{{Msg: "not an ErrorList: " + err.Error()}}
	}
	return list
}

func TestErrorFiles(t *testing.T) {
	files, err := filepath.Glob("../testdata/errors/*.bt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Errorf("only %d error files, want at least 30", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := parseMarkers(t, string(src))
			if len(want) == 0 {
				t.Fatal("no ERROR markers")
			}
			got := diagnose(filepath.Base(file), src)
			// Compare as sorted strings, keeping only what each marker checks.
			var gotS, wantS []string
			used := make([]bool, len(got))
			for _, w := range want {
				wantS = append(wantS, w.String())
				for i, d := range got {
					if used[i] || d.Pos.Line != w.line || d.Pos.Col != w.col || d.Msg != w.msg {
						continue
					}
					g := w
					if w.end > 0 {
						g.end = d.End.Col
						if d.End.Line != d.Pos.Line {
							g.end = -1
						}
					}
					g.hint = d.Hint
					used[i] = true
					gotS = append(gotS, g.String())
					break
				}
			}
			for i, d := range got {
				if !used[i] {
					gotS = append(gotS, fmt.Sprintf("%d:%d-%d: %s (unexpected)", d.Pos.Line, d.Pos.Col, d.End.Col, d.Msg))
				}
			}
			sort.Strings(gotS)
			sort.Strings(wantS)
			if diff := cmp.Diff(wantS, gotS); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\nrendered:\n%s", diff, got.Render(src))
			}
		})
	}
}
