package main

import (
	"sort"
	"strings"
	"sync"

	"github.com/gbt-project/gbt/runtime"
	"github.com/gbt-project/gbt/stdlib"
)

// completer completes, at the cursor: REPL commands at the start of a
// line; probe kinds where a probe starts, then tracepoint names (from
// tracefs), software and hardware events after the kind, and the
// binaries and their functions or USDT probes after uprobe, uretprobe and
// usdt (repl_complete_user.go); builtins inside a block or a predicate;
// map names after '@'.
type completer struct {
	r *repl

	once        sync.Once
	tracepoints []string // "group:event", sorted

	mu       sync.Mutex
	binaries map[string][]string // "uprobe:/path" or "usdt:/path": its functions or probes, sorted
}

// Do implements readline.AutoCompleter: it returns the candidates' text
// after the word being completed, and the length of that word.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	before := string(line[:pos])
	// A probe name may hold '-' ("software:cpu-clock"); an expression
	// word ends at it.
	start := strings.LastIndexAny(before, " \t(){};,=!+*%<>&|^?/") + 1
	if !strings.Contains(before[start:], ":") {
		start += strings.LastIndex(before[start:], "-") + 1
	}
	word := before[start:]
	w, user := userProbeWord(before)
	if user {
		word = w
	}
	pending := c.r.pendingText()
	first := pending == "" && strings.TrimSpace(before[:start]) == ""
	var cands []string
	switch {
	case first && strings.HasPrefix(word, "."):
		cands = dotCommands
	case strings.HasPrefix(word, "@"):
		cands = c.r.sess.MapNames()
	case user:
		cands = c.userCandidates(word)
	case strings.Contains(word, ":"):
		cands = c.probeNames(word)
	case inBlock(pending+before) || inPredicate(pending+before):
		cands = stdlib.Names()
	default:
		for _, k := range stdlib.ProbeKinds() {
			switch k.Name {
			case "begin", "end":
				cands = append(cands, strings.ToUpper(k.Name))
			default:
				cands = append(cands, k.Name+":")
			}
		}
		if first {
			cands = append(cands, mapCommands...)
		}
	}
	var out [][]rune
	for _, cand := range cands {
		if rest, ok := strings.CutPrefix(cand, word); ok {
			out = append(out, []rune(rest))
		}
	}
	return out, len([]rune(word))
}

// inBlock reports whether the text before the cursor is inside braces.
func inBlock(before string) bool {
	depth, _ := braces(before)
	return depth > 0
}

// inPredicate reports whether the text before the cursor, outside any
// block, is inside a /predicate/.
func inPredicate(before string) bool {
	return strings.Count(before, "/")%2 == 1
}

// probeNames returns the attach points of the kind word starts with.
func (c *completer) probeNames(word string) []string {
	kindName, _, _ := strings.Cut(word, ":")
	k := stdlib.ProbeKind(kindName)
	if k == nil {
		return nil
	}
	var names []string
	switch k.Name {
	case "tracepoint":
		names = c.tracepointNames()
	case "software":
		names = eventNames(stdlib.SoftwareEvents)
	case "hardware":
		names = eventNames(stdlib.HardwareEvents)
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = kindName + ":" + n
	}
	return out
}

// tracepointNames lists the kernel's tracepoints once per session.
func (c *completer) tracepointNames() []string {
	c.once.Do(func() {
		tfs, err := runtime.OpenTracefs(true, nil)
		if err != nil {
			return
		}
		c.tracepoints, _ = tfs.Tracepoints()
	})
	return c.tracepoints
}

func eventNames(m map[string]string) []string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
