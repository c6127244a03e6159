package runtime

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/gbt-project/gbt/stdlib"
)

// This file implements probe listing (gbt -l), as bpftrace does it: a
// pattern "kind:rest" names a probe kind (or, with wildcards, several) and
// a glob that each candidate of that kind must match as a whole, '*'
// spanning ':' too, so 'tracepoint:sched*' finds every sched:* event; a
// glob without ':' may also match just the candidate's last part, so
// 'rawtracepoint:sched_switch' finds vmlinux:sched_switch. A
// pattern without a kind ("*sleep*") searches every kernel kind, as does
// no pattern at all. Each kind is one lister below; the kernel kinds take
// their candidates from tracefs and BTF, the user-space kinds from the
// ELF file the pattern names.

// ListOptions say how ListProbes looks for probes. The zero value lists
// the running kernel's probes.
type ListOptions struct {
	// Verbose adds each probe's arguments, where the kernel describes
	// them: tracepoint fields, raw tracepoint and fentry parameters.
	Verbose bool
	// Pid resolves library names of uprobe and usdt targets through that
	// process's mappings ("uprobe:libc:*").
	Pid int
	// Tracefs is where tracepoints come from; nil finds the mounted
	// tracefs, mounting it when there is none (which needs root).
	Tracefs *Tracefs
	// BTFDir holds vmlinux's and the modules' BTF; "" is /sys/kernel/btf.
	BTFDir string
	// Features says which kernel kinds attach; nil probes the kernel.
	// kprobe and fentry targets are listed only where they attach.
	Features *Features
	// Logf, when set, reports what listing did on the way (mounting tracefs).
	Logf func(format string, args ...any)
	// Warnf, when set, reports a source that a listing of several kinds
	// passed over because it could not be read (tracefs without root).
	Warnf func(format string, args ...any)
}

// ListedProbe is one probe of a listing: its full name, usable as an
// attach point ("tracepoint:sched:sched_switch"), and, for a verbose
// listing, its arguments as C declarations ("char prev_comm[16]").
type ListedProbe struct {
	Name string
	Args []string
}

// lister lists the probes of one kind whose target (the part after
// "kind:") matches rest.
type lister func(o *ListOptions, kind, rest string) ([]ListedProbe, error)

// listers are the kinds gbt can list, by canonical name. kernelKinds are
// the ones a pattern without a kind, or with a wildcard kind, searches:
// the user-space kinds need a binary, and return probes have the same
// targets as their entry probes.
var (
	listers = map[string]lister{
		"tracepoint":    listTracepoints,
		"rawtracepoint": listRawTracepoints,
		"software":      listPerfEvents,
		"hardware":      listPerfEvents,
		"kprobe":        listKprobes,
		"kretprobe":     listKprobes,
		"fentry":        listFentry,
		"fexit":         listFentry,
		"uprobe":        listUprobes,
		"uretprobe":     listUprobes,
		"usdt":          listUSDT,
	}
	kernelKinds = []string{"fentry", "hardware", "kprobe", "rawtracepoint", "software", "tracepoint"}
)

// ListProbes returns the probes that pattern names, sorted by name. An
// empty pattern lists every kernel probe. A kind that lists nothing on this
// machine (kprobes where the kernel has none) gives no probes and no error;
// so does a kind that can list nothing at all (BEGIN, profile). Errors are
// reported for kinds the pattern names explicitly; when the kind is a
// wildcard, a source that cannot be read (tracefs without root) is skipped
// and reported through Warnf.
func ListProbes(pattern string, o ListOptions) ([]ListedProbe, error) {
	kinds, rest, explicit, err := splitListPattern(pattern)
	if err != nil {
		return nil, err
	}
	var out []ListedProbe
	for _, kind := range kinds {
		list := listers[kind]
		if list == nil {
			continue
		}
		probes, err := list(&o, kind, rest)
		if err != nil {
			if explicit {
				return nil, err
			}
			if o.Warnf != nil {
				o.Warnf("no %s probes listed: %v", kind, err)
			}
			continue
		}
		out = append(out, probes...)
	}
	slices.SortFunc(out, func(a, b ListedProbe) int { return strings.Compare(a.Name, b.Name) })
	return slices.CompactFunc(out, func(a, b ListedProbe) bool { return a.Name == b.Name }), nil
}

// splitListPattern splits a listing pattern into the kinds it searches and
// the glob their targets must match. explicit is true when the pattern
// names one kind without wildcards.
func splitListPattern(pattern string) (kinds []string, rest string, explicit bool, err error) {
	kind, rest, ok := strings.Cut(pattern, ":")
	switch {
	case pattern == "":
		return kernelKinds, "*", false, nil
	case !ok && stdlib.ProbeKind(pattern) != nil:
		// "tracepoint" alone lists every tracepoint.
		return []string{stdlib.ProbeKind(pattern).Name}, "*", true, nil
	case !ok:
		return kernelKinds, pattern, false, nil
	case hasWildcard(kind):
		for _, k := range kernelKinds {
			if globMatch(kind, k) {
				kinds = append(kinds, k)
			}
		}
		return kinds, rest, false, nil
	}
	info := stdlib.ProbeKind(kind)
	if info == nil {
		return nil, "", false, fmt.Errorf("unknown probe kind %q in %q", kind, pattern)
	}
	return []string{info.Name}, rest, true, nil
}

// WriteProbes prints a listing as bpftrace does: one probe a line, each
// argument on its own line after it, indented by four spaces.
func WriteProbes(w io.Writer, probes []ListedProbe) error {
	bw := bufio.NewWriter(w)
	for _, p := range probes {
		bw.WriteString(p.Name)
		bw.WriteByte('\n')
		for _, a := range p.Args {
			bw.WriteString("    ")
			bw.WriteString(a)
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

// tracefs returns the tracefs to list from.
func (o *ListOptions) tracefs() (*Tracefs, error) {
	if o.Tracefs != nil {
		return o.Tracefs, nil
	}
	return OpenTracefs(true, o.Logf)
}

func (o *ListOptions) btfDir() string {
	if o.BTFDir != "" {
		return o.BTFDir
	}
	return btfKernelDir
}

// kprobes and fentry say whether those kinds attach: from Features when
// set, else from the one probe each needs (ProbeFeatures would probe all).
func (o *ListOptions) kprobes() error {
	if o.Features != nil {
		return o.Features.Kprobes
	}
	return probeKprobes()
}

func (o *ListOptions) fentry() error {
	if o.Features != nil {
		return o.Features.Fentry
	}
	return probeFentry()
}

// named turns matched targets into probes of a kind.
func named(kind string, targets []string) []ListedProbe {
	out := make([]ListedProbe, len(targets))
	for i, t := range targets {
		out[i].Name = kind + ":" + t
	}
	return out
}

// matching returns the candidates that match the glob pattern as a
// whole, or, when the pattern has no ':', in their last part: so
// "sched_switch" finds "vmlinux:sched_switch" and "sched:sched_switch",
// and "sched*" finds every event of the sched group as well.
func matching(pattern string, candidates []string) []string {
	whole := strings.Contains(pattern, ":")
	var out []string
	for _, c := range candidates {
		last := c[strings.LastIndexByte(c, ':')+1:]
		if globMatch(pattern, c) || !whole && globMatch(pattern, last) {
			out = append(out, c)
		}
	}
	return out
}
