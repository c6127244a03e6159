package ast

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Tabs in the source line are drawn as four spaces each, as bpftrace 0.17
// draws them, and the caret line follows.
func TestRenderTabs(t *testing.T) {
	tests := []struct {
		src      string
		pos, end Pos
		want     string
	}{
		{"BEGIN {\n\t@y = $z;\n}\n", Pos{Line: 2, Col: 7}, Pos{Line: 2, Col: 9},
			"t.bt:2:7-9: ERROR: undefined\n    @y = $z;\n         ~~\n"},
		{"BEGIN {\n  \t@y = $z;\n}\n", Pos{Line: 2, Col: 9}, Pos{Line: 2, Col: 11},
			"t.bt:2:9-11: ERROR: undefined\n      @y = $z;\n           ~~\n"},
		{"BEGIN { @x = 1;\t@y = $z; }\n", Pos{Line: 1, Col: 22}, Pos{Line: 1, Col: 24},
			"t.bt:1:22-24: ERROR: undefined\nBEGIN { @x = 1;    @y = $z; }\n                        ~~\n"},
		{"BEGIN {\n\t\t@y;\n}\n", Pos{Line: 2, Col: 3}, Pos{Line: 2, Col: 3},
			"t.bt:2:3-3: ERROR: undefined\n        @y;\n        ^\n"},
	}
	for _, tt := range tests {
		d := &Diagnostic{File: "t.bt", Pos: tt.pos, End: tt.end, Msg: "undefined"}
		if diff := cmp.Diff(tt.want, d.Render([]byte(tt.src))); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.src, diff)
		}
	}
}
