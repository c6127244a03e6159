package lang

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/stdlib"
)

// probeSpec validates one attach point against the probe kinds table and
// returns its canonical kind, or "" when the kind is unknown. Whether the
// kernel can attach it is the runtime's question.
func (c *checker) probeSpec(s *ast.ProbeSpec) string {
	k := stdlib.ProbeKind(s.Kind)
	if k == nil {
		k = stdlib.ProbeKind(s.Provider)
	}
	if k == nil {
		name := s.Provider
		if name == "" {
			name = s.Kind
		}
		d := c.errorf(s, "Invalid probe type: %s", name)
		if hint := stdlib.ClosestProbeKind(strings.ToLower(name)); hint != "" {
			d.Hint = "did you mean '" + hint + "'?"
		}
		return ""
	}
	if msg := specProblem(k, s); msg != "" {
		d := c.errorf(s, "%s", msg)
		if strings.Contains(msg, "requires") {
			d.Hint = "expected " + k.Form
		}
	}
	return k.Name
}

// specProblem describes what is wrong with spec s of kind k, or "".
func specProblem(k *stdlib.ProbeKindInfo, s *ast.ProbeSpec) string {
	parts := s.Parts
	if len(parts) < k.MinParts || len(parts) > k.MaxParts {
		if k.MaxParts == 0 {
			return fmt.Sprintf("%s probe type takes no arguments", s.Provider)
		}
		return fmt.Sprintf("%s probe type requires %s", k.Name, partCount(k.MinParts, k.MaxParts))
	}
	for _, p := range parts {
		if p == "" && !(k.Name == "usdt" && len(parts) == 3) {
			return fmt.Sprintf("%s probe has an empty part in '%s'", k.Name, s.Raw)
		}
	}
	switch k.Name {
	case "interval", "profile", "software", "hardware", "watchpoint", "begin", "end":
		if s.Wildcard {
			return fmt.Sprintf("wildcards are not allowed in %s probes", k.Name)
		}
	}
	last := ""
	if len(parts) > 0 {
		last = parts[len(parts)-1]
	}
	switch k.Name {
	case "interval", "profile":
		return timerProblem(k.Name, parts)
	case "software", "hardware":
		events := stdlib.SoftwareEvents
		if k.Name == "hardware" {
			events = stdlib.HardwareEvents
		}
		if _, ok := events[parts[0]]; !ok {
			return fmt.Sprintf("%s is not a %s probe", parts[0], k.Name)
		}
		if len(parts) == 2 {
			if n, err := parseCount(parts[1]); err != nil || n == 0 {
				return fmt.Sprintf("invalid count for %s probe: '%s'", k.Name, parts[1])
			}
		}
	case "kprobe", "uprobe":
		if fn, off, ok := strings.Cut(last, "+"); ok {
			if s.Wildcard {
				return "can not use wildcards with an offset"
			}
			if fn == "" {
				return fmt.Sprintf("%s offset needs a function: '%s'", k.Name, s.Raw)
			}
			if _, err := parseCount(off); err != nil {
				return fmt.Sprintf("invalid offset '%s'", off)
			}
		}
	case "kretprobe", "uretprobe":
		if strings.Contains(last, "+") {
			return fmt.Sprintf("offsets are not allowed in %s probes", k.Name)
		}
	case "watchpoint":
		if _, err := parseCount(parts[0]); err != nil {
			return fmt.Sprintf("invalid watchpoint address '%s'", parts[0])
		}
		if n, err := parseCount(parts[1]); err != nil || (n != 1 && n != 2 && n != 4 && n != 8) {
			return fmt.Sprintf("invalid watchpoint length '%s' (1, 2, 4 or 8)", parts[1])
		}
		if parts[2] == "" || strings.Trim(parts[2], "rwx") != "" {
			return fmt.Sprintf("invalid watchpoint mode '%s' (a combination of r, w and x)", parts[2])
		}
	}
	return ""
}

func partCount(lo, hi int) string {
	if lo == hi {
		if lo == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", lo)
	}
	return fmt.Sprintf("%d or %d arguments", lo, hi)
}

// timeUnits are the units of interval and profile probes.
var timeUnits = map[string]bool{"s": true, "ms": true, "us": true, "ns": true, "hz": true}

// timerProblem checks interval:unit:n, interval:<n><unit>, profile likewise.
func timerProblem(kind string, parts []string) string {
	unit, rate := "", ""
	if len(parts) == 2 {
		unit, rate = parts[0], parts[1]
	} else {
		i := strings.IndexFunc(parts[0], func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			return fmt.Sprintf("%s probe type requires 2 arguments", kind)
		}
		rate, unit = parts[0][:i], parts[0][i:]
	}
	if !timeUnits[unit] || (kind == "profile" && unit == "ns") {
		return fmt.Sprintf("%s is not an accepted unit of time", unit)
	}
	n, err := parseCount(rate)
	if err != nil || n == 0 {
		return fmt.Sprintf("invalid rate of %s probe: '%s'", kind, rate)
	}
	return ""
}

// parseCount parses a non-negative integer written in decimal or hex, with
// optional '_' separators.
func parseCount(s string) (uint64, error) {
	return strconv.ParseUint(strings.ReplaceAll(s, "_", ""), 0, 64)
}
