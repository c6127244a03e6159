package lang

import (
	"strings"

	"github.com/gbt-project/gbt/lang/ast"
)

// probeKinds maps a provider name, lower-cased, to its canonical kind.
// Aliases and legacy spellings resolve here; `U` (usdt) differs from `u`
// (uprobe) only by case and is handled before lower-casing.
var probeKinds = map[string]string{
	"begin": "begin", "end": "end",
	"tracepoint": "tracepoint", "t": "tracepoint",
	"rawtracepoint": "rawtracepoint", "rt": "rawtracepoint",
	"kprobe": "kprobe", "k": "kprobe",
	"kretprobe": "kretprobe", "kr": "kretprobe",
	"fentry": "fentry", "f": "fentry", "kfunc": "fentry",
	"fexit": "fexit", "fr": "fexit", "kretfunc": "fexit",
	"uprobe": "uprobe", "u": "uprobe",
	"uretprobe": "uretprobe", "ur": "uretprobe",
	"usdt":    "usdt",
	"profile": "profile", "p": "profile",
	"interval": "interval", "i": "interval",
	"software": "software", "s": "software",
	"hardware": "hardware", "h": "hardware",
	"watchpoint": "watchpoint", "w": "watchpoint",
	"asyncwatchpoint": "asyncwatchpoint", "aw": "asyncwatchpoint",
	"iter": "iter", "it": "iter",
}

// probeKind canonicalises a provider name. An unknown provider gives its
// lower-case spelling, for the checker to reject.
func probeKind(provider string) string {
	if provider == "U" {
		return "usdt"
	}
	low := strings.ToLower(provider)
	if k, ok := probeKinds[low]; ok {
		return k
	}
	return low
}

func (l *lowerer) spec(g *specG) *ast.ProbeSpec {
	parts := splitSpec(g.Raw)
	s := &ast.ProbeSpec{Span: l.span(g.Pos, g.Tokens), Raw: g.Raw, Provider: parts[0], Kind: probeKind(parts[0])}
	if len(parts) > 1 {
		s.Parts = parts[1:]
	}
	for _, p := range s.Parts {
		if strings.ContainsAny(p, "*?") {
			s.Wildcard = true
		}
	}
	return s
}

// splitSpec splits a spec at the colons outside double quotes and removes
// the quotes.
func splitSpec(raw string) []string {
	var parts []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '"':
			quoted = !quoted
		case c == '\\' && quoted && i+1 < len(raw):
			i++
			cur.WriteByte(raw[i])
		case c == ':' && !quoted:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, cur.String())
}
