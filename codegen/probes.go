package codegen

import (
	"strconv"
	"strings"

	"github.com/cilium/ebpf"

	"github.com/gbt-project/gbt/lang/ast"
)

// plan is one concrete program to emit for an attach point.
type plan struct {
	probe    string // full probe name after expansion
	progType ebpf.ProgramType
	attach   Attach
	tp       *TracepointFormat // tracepoints: the record layout, loaded on first use
	argRegs  bool              // argN reads pt_regs (kprobe/uprobe) rather than a u64 array
	usdt     *USDTProbe        // usdt: the probe location, whose argument locations argN reads
	uprobe   *uprobeParams     // uprobe: the function's parameters, which args reads, loaded on first use
}

// expand turns an attach point into the programs it needs: one per
// matching tracepoint, one otherwise.
func (c *compiler) expand(spec *ast.ProbeSpec) []*plan {
	parts := spec.Parts
	switch spec.Kind {
	case "begin", "end":
		kind, name := AttachBegin, "BEGIN"
		if spec.Kind == "end" {
			kind, name = AttachEnd, "END"
		}
		return []*plan{{probe: name, progType: ebpf.RawTracepoint, attach: Attach{Kind: kind}}}
	case "tracepoint":
		return c.expandTracepoint(spec)
	case "rawtracepoint":
		if spec.Wildcard || len(parts) == 0 || len(parts) > 2 {
			c.errorf(spec, "rawtracepoint %q: wildcards are not implemented yet", spec.Raw)
			return nil
		}
		a := Attach{Kind: AttachRawTracepoint, Event: parts[len(parts)-1]}
		if len(parts) == 2 {
			a.Group = parts[0]
		}
		return []*plan{{probe: "rawtracepoint:" + spec.Target(), progType: ebpf.RawTracepoint, attach: a}}
	case "interval", "profile":
		return c.expandTimer(spec)
	case "software":
		return c.expandSoftware(spec)
	case "kprobe", "kretprobe", "uprobe", "uretprobe":
		return c.expandFuncProbe(spec)
	case "usdt":
		return c.expandUSDT(spec)
	case "fentry", "fexit":
		return c.expandFentry(spec)
	case "hardware":
		return c.expandHardware(spec)
	}
	c.errorf(spec, "probe type %s is not implemented yet", spec.Kind)
	return nil
}

func (c *compiler) expandTracepoint(spec *ast.ProbeSpec) []*plan {
	if len(spec.Parts) != 2 {
		c.errorf(spec, "tracepoint %q: expected tracepoint:group:event", spec.Raw)
		return nil
	}
	if c.opts.Kernel == nil {
		c.errorf(spec, "tracepoint %q: no kernel information to compile tracepoints against", spec.Raw)
		return nil
	}
	names := []string{spec.Target()}
	if spec.Wildcard {
		var err error
		names, err = c.opts.Kernel.MatchTracepoints(spec.Target())
		if err != nil {
			c.errorf(spec, "%v", err)
			return nil
		}
		if len(names) == 0 {
			c.errorf(spec, "no tracepoint matches %q", spec.Target())
			return nil
		}
	}
	var out []*plan
	for _, n := range names {
		group, event, _ := strings.Cut(n, ":")
		out = append(out, &plan{
			probe:    "tracepoint:" + n,
			progType: ebpf.TracePoint,
			attach:   Attach{Kind: AttachTracepoint, Group: group, Event: event},
		})
	}
	return out
}

// unitNs converts a time unit of interval and profile to nanoseconds.
var unitNs = map[string]uint64{"s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1}

func (c *compiler) expandTimer(spec *ast.ProbeSpec) []*plan {
	unit, num := "", ""
	switch len(spec.Parts) {
	case 2:
		unit, num = spec.Parts[0], spec.Parts[1]
	case 1: // interval:1s
		p := spec.Parts[0]
		i := strings.IndexFunc(p, func(r rune) bool { return r < '0' || r > '9' })
		if i > 0 {
			num, unit = p[:i], p[i:]
		}
	}
	n, err := strconv.ParseUint(num, 10, 64)
	_, known := unitNs[unit]
	if err != nil || n == 0 || (!known && unit != "hz") {
		c.errorf(spec, "%s %q: expected %s:UNIT:N with UNIT one of s, ms, us, hz and N > 0", spec.Kind, spec.Raw, spec.Kind)
		return nil
	}
	a := Attach{Kind: AttachInterval}
	if spec.Kind == "profile" {
		a.Kind = AttachProfile
	}
	switch {
	case unit == "hz" && a.Kind == AttachProfile:
		a.Frequency = n
	case unit == "hz":
		a.Period = 1e9 / n
	default:
		a.Period = n * unitNs[unit]
	}
	return []*plan{{probe: spec.Kind + ":" + unit + ":" + num, progType: ebpf.PerfEvent, attach: a}}
}

// softwareEvents maps each software event name and alias to its canonical
// name and bpftrace's default sample period.
var softwareEvents = map[string]struct {
	name   string
	period uint64
}{
	"cpu-clock": {"cpu-clock", 1000000}, "cpu": {"cpu-clock", 1000000},
	"task-clock":  {"task-clock", 1000000},
	"page-faults": {"page-faults", 100}, "faults": {"page-faults", 100},
	"context-switches": {"context-switches", 1000}, "cs": {"context-switches", 1000},
	"cpu-migrations":   {"cpu-migrations", 1},
	"minor-faults":     {"minor-faults", 100},
	"major-faults":     {"major-faults", 1},
	"alignment-faults": {"alignment-faults", 1},
	"emulation-faults": {"emulation-faults", 1},
	"dummy":            {"dummy", 1},
	"bpf-output":       {"bpf-output", 1},
}

func (c *compiler) expandSoftware(spec *ast.ProbeSpec) []*plan {
	if len(spec.Parts) == 0 || len(spec.Parts) > 2 {
		c.errorf(spec, "software %q: expected software:EVENT[:PERIOD]", spec.Raw)
		return nil
	}
	ev, ok := softwareEvents[spec.Parts[0]]
	if !ok {
		c.errorf(spec, "unknown software event %q", spec.Parts[0])
		return nil
	}
	a := Attach{Kind: AttachSoftware, Event: ev.name, Period: ev.period}
	if len(spec.Parts) == 2 {
		n, err := strconv.ParseUint(spec.Parts[1], 10, 64)
		if err != nil || n == 0 {
			c.errorf(spec, "software %q: the period must be a positive integer", spec.Raw)
			return nil
		}
		a.Period = n
	}
	return []*plan{{probe: "software:" + spec.Target(), progType: ebpf.PerfEvent, attach: a}}
}

func (c *compiler) expandFuncProbe(spec *ast.ProbeSpec) []*plan {
	if spec.Wildcard && (spec.Kind == "kprobe" || spec.Kind == "kretprobe") {
		c.errorf(spec, "%s %q: wildcards are not implemented yet", spec.Kind, spec.Raw)
		return nil
	}
	a := Attach{}
	parts := spec.Parts
	switch spec.Kind {
	case "kprobe", "kretprobe":
		a.Kind = AttachKprobe
		if spec.Kind == "kretprobe" {
			a.Kind = AttachKretprobe
		}
		if len(parts) == 0 || len(parts) > 2 {
			c.errorf(spec, "%s %q: expected %s[:module]:function", spec.Kind, spec.Raw, spec.Kind)
			return nil
		}
		a.Target = parts[len(parts)-1]
	default:
		a.Kind = AttachUprobe
		if spec.Kind == "uretprobe" {
			a.Kind = AttachUretprobe
		}
		if len(parts) != 2 {
			c.errorf(spec, "%s %q: expected %s:binary:function", spec.Kind, spec.Raw, spec.Kind)
			return nil
		}
		a.Binary, a.Target = parts[0], parts[1]
	}
	if fn, off, ok := strings.Cut(a.Target, "+"); ok {
		n, err := strconv.ParseUint(off, 0, 64)
		if err != nil {
			c.errorf(spec, "%s %q: bad offset %q", spec.Kind, spec.Raw, off)
			return nil
		}
		a.Target, a.Offset = fn, n
	}
	if a.Binary == "" {
		return []*plan{{probe: spec.Kind + ":" + spec.Target(), progType: ebpf.Kprobe, attach: a, argRegs: true}}
	}
	return c.expandUprobe(spec, a)
}

// expandUprobe makes the programs of a uprobe or uretprobe: one per
// function of the binary that a pattern with wildcards matches, else one.
// The probe builtin names the binary's file, as bpftrace does
// ("uprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:malloc" for
// uprobe:libc:malloc).
func (c *compiler) expandUprobe(spec *ast.ProbeSpec, a Attach) []*plan {
	suffix := ""
	if a.Offset != 0 {
		suffix = "+" + strconv.FormatUint(a.Offset, 10)
	}
	if c.opts.User == nil {
		if spec.Wildcard {
			c.errorf(spec, "%s %q: no information about user-space binaries to expand wildcards against", spec.Kind, spec.Raw)
			return nil
		}
		return []*plan{{probe: spec.Kind + ":" + spec.Target(), progType: ebpf.Kprobe, attach: a, argRegs: true}}
	}
	if strings.ContainsAny(a.Binary, "*?") {
		c.errorf(spec, "%s %q: wildcards in the binary are not supported", spec.Kind, spec.Raw)
		return nil
	}
	path, err := c.opts.User.Path(a.Binary)
	if err != nil {
		c.errorf(spec, "%v", err)
		return nil
	}
	names := []string{a.Target}
	if strings.ContainsAny(a.Target, "*?") {
		if names, err = c.opts.User.MatchFuncs(a.Binary, a.Target); err != nil {
			c.errorf(spec, "%v", err)
			return nil
		}
	}
	var out []*plan
	for _, n := range names {
		one := a
		one.Target = n
		out = append(out, &plan{probe: spec.Kind + ":" + path + ":" + n + suffix, progType: ebpf.Kprobe, attach: one, argRegs: true})
	}
	return out
}

// tracepoint returns the record layout of the program's tracepoint.
func (g *gen) tracepoint(n ast.Node) *TracepointFormat {
	pl := g.plan
	if pl.attach.Kind != AttachTracepoint {
		g.fail(n, "args is only available in tracepoint probes here")
		return nil
	}
	if pl.tp == nil {
		tp, err := g.c.opts.Kernel.Tracepoint(pl.attach.Group, pl.attach.Event)
		if err != nil {
			g.fail(n, "tracepoint %s:%s: %v", pl.attach.Group, pl.attach.Event, err)
			return nil
		}
		pl.tp = tp
	}
	return pl.tp
}
