package runtime

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// TracefsDir is where the runtime mounts tracefs when no mount is found.
const TracefsDir = "/sys/kernel/tracing"

// tracefsCandidates are the usual tracefs mount points, in order of
// preference.
var tracefsCandidates = []string{TracefsDir, "/sys/kernel/debug/tracing"}

// Tracefs is one tracefs directory: the kernel's view of its tracepoints
// (events/<group>/<event>/format) and of its dynamic probe interfaces
// (kprobe_events, uprobe_events). Dir may also point at a copy of that tree,
// which is how the tests read recorded format files.
type Tracefs struct {
	Dir string // "/sys/kernel/tracing"

	// Mounted is true when OpenTracefs mounted the file system itself,
	// because it found none.
	Mounted bool
}

var (
	tracefsMu    sync.Mutex
	tracefsFound *Tracefs
)

// OpenTracefs finds the mounted tracefs. When there is none and mount is
// true, it mounts tracefs at TracefsDir (this needs root) and reports that
// through logf (for -v) and the Mounted flag. logf may be nil. The result is
// cached for the life of the process.
func OpenTracefs(mount bool, logf func(format string, args ...any)) (*Tracefs, error) {
	tracefsMu.Lock()
	defer tracefsMu.Unlock()
	if tracefsFound != nil {
		return tracefsFound, nil
	}
	for _, dir := range append(tracefsMounts(), tracefsCandidates...) {
		if isTracefs(dir) {
			tracefsFound = &Tracefs{Dir: dir}
			return tracefsFound, nil
		}
	}
	if !mount {
		return nil, fmt.Errorf("tracefs is not mounted (looked in %s)", strings.Join(tracefsCandidates, ", "))
	}
	if err := unix.Mount("tracefs", TracefsDir, "tracefs", 0, ""); err != nil {
		return nil, fmt.Errorf("tracefs is not mounted and mounting it at %s failed: %w", TracefsDir, err)
	}
	if logf != nil {
		logf("mounted tracefs at %s", TracefsDir)
	}
	tracefsFound = &Tracefs{Dir: TracefsDir, Mounted: true}
	return tracefsFound, nil
}

// tracefsMounts lists the mount points of tracefs in /proc/self/mounts,
// which may include places other than the usual two.
func tracefsMounts() []string {
	data, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return nil
	}
	var dirs []string
	for line := range strings.SplitSeq(string(data), "\n") {
		// "tracefs /sys/kernel/tracing tracefs rw,relatime 0 0"; spaces
		// in the path are escaped as \040.
		f := strings.Fields(line)
		if len(f) >= 3 && f[2] == "tracefs" {
			dirs = append(dirs, strings.ReplaceAll(f[1], `\040`, " "))
		}
	}
	return dirs
}

// isTracefs reports whether dir is the root of a mounted tracefs.
func isTracefs(dir string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return false
	}
	return st.Type == unix.TRACEFS_MAGIC || st.Type == unix.DEBUGFS_MAGIC && fileExists(filepath.Join(dir, "events"))
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// skippedGroups are event groups that are not tracepoints a BPF program can
// attach to: "ftrace" holds the tracer's own record formats.
var skippedGroups = map[string]bool{"ftrace": true}

// Tracepoints lists every tracepoint as "group:event", sorted. It reads
// directory entries only (no format files), so the full listing is fast.
func (t *Tracefs) Tracepoints() ([]string, error) {
	return t.Match("*:*")
}

// Match expands a "group:event" pattern, where '*' matches any run of
// characters and '?' any one character, into the sorted list of tracepoints
// it names. A pattern without wildcards that names no tracepoint is an
// error; a wildcard pattern that matches nothing gives an empty list.
func (t *Tracefs) Match(pattern string) ([]string, error) {
	group, event, ok := strings.Cut(pattern, ":")
	if !ok || group == "" || event == "" || strings.Contains(event, ":") {
		return nil, fmt.Errorf("tracepoint %q: want group:event", pattern)
	}
	for _, part := range []string{group, event} {
		if strings.ContainsAny(part, "/\\") || part == "." || part == ".." {
			return nil, fmt.Errorf("tracepoint %q: invalid name", pattern)
		}
	}
	events := filepath.Join(t.Dir, "events")
	if !hasWildcard(group) && !hasWildcard(event) {
		if skippedGroups[group] || !isDir(filepath.Join(events, group, event)) {
			return nil, fmt.Errorf("tracepoint %s:%s does not exist", group, event)
		}
		return []string{group + ":" + event}, nil
	}
	groups := []string{group}
	if hasWildcard(group) {
		var err error
		if groups, err = subdirs(events, group); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, g := range groups {
		if skippedGroups[g] {
			continue
		}
		names, err := subdirs(filepath.Join(events, g), event)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		for _, e := range names {
			out = append(out, g+":"+e)
		}
	}
	sort.Strings(out)
	return out, nil
}

// subdirs lists the directories in dir whose names match the glob pattern.
func subdirs(dir, pattern string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("listing tracepoints: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && globMatch(pattern, e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// globMatch reports whether name matches pattern, where '*' matches any run
// of characters (including none) and '?' exactly one. No other character is
// special.
func globMatch(pattern, name string) bool {
	// Classic backtracking over the last '*': linear for the patterns
	// people write, and never worse than quadratic.
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == name[n]):
			p++
			n++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, n
			p++
		case star >= 0:
			mark++
			p, n = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// HasKprobeEvents reports whether this tracefs offers kprobe_events, which
// exists only when the kernel is built with CONFIG_KPROBE_EVENTS.
func (t *Tracefs) HasKprobeEvents() bool {
	return fileExists(filepath.Join(t.Dir, "kprobe_events"))
}
