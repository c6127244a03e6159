package codegen

import (
	"strconv"
	"strings"

	"github.com/cilium/ebpf"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/stdlib"
)

// This file expands the probe kinds that many kernels lack: fentry/fexit
// and hardware counters. They compile like any other probe, since an
// Object does not depend on the kernel it was compiled on; the runtime
// says which kernel feature is missing when it loads or attaches them.

// expandFentry makes the program of fentry[:module]:function or fexit. It
// is a Tracing program that the runtime loads against the function's BTF
// type. Its context is the function's arguments as an array of u64, typed
// by BTF; gbt does not read them yet (see fentryArgs).
func (c *compiler) expandFentry(spec *ast.ProbeSpec) []*plan {
	parts := spec.Parts
	if len(parts) == 0 || len(parts) > 2 {
		c.errorf(spec, "%s %q: expected %s[:module]:function", spec.Kind, spec.Raw, spec.Kind)
		return nil
	}
	if spec.Wildcard {
		c.errorf(spec, "%s %q: wildcards are not implemented yet", spec.Kind, spec.Raw)
		return nil
	}
	a := Attach{Kind: AttachFentry, Target: parts[len(parts)-1]}
	if spec.Kind == "fexit" {
		a.Kind = AttachFexit
	}
	if len(parts) == 2 {
		a.Group = parts[0]
	}
	return []*plan{{probe: spec.Kind + ":" + spec.Target(), progType: ebpf.Tracing, attach: a}}
}

// expandHardware makes the program of hardware:event[:count], a perf
// event program like software's. A count of 0 leaves the sample period
// to the runtime, which knows each event's default.
func (c *compiler) expandHardware(spec *ast.ProbeSpec) []*plan {
	if len(spec.Parts) == 0 || len(spec.Parts) > 2 {
		c.errorf(spec, "hardware %q: expected hardware:EVENT[:COUNT]", spec.Raw)
		return nil
	}
	if _, ok := stdlib.HardwareEvents[spec.Parts[0]]; !ok {
		c.errorf(spec, "unknown hardware event %q", spec.Parts[0])
		return nil
	}
	a := Attach{Kind: AttachHardware, Event: spec.Parts[0]}
	if len(spec.Parts) == 2 {
		n, err := strconv.ParseUint(strings.ReplaceAll(spec.Parts[1], "_", ""), 0, 64)
		if err != nil || n == 0 {
			c.errorf(spec, "hardware %q: the count must be a positive integer", spec.Raw)
			return nil
		}
		a.Period = n
	}
	return []*plan{{probe: "hardware:" + spec.Target(), progType: ebpf.PerfEvent, attach: a}}
}

// fentryArgs reports the use of args in an fentry or fexit probe: reading
// a function's arguments needs their BTF types, which gbt does not map to
// script types yet.
func (g *gen) fentryArgs(n ast.Node) {
	g.fail(n, "args in %s probes needs the BTF types of %s's arguments, which gbt does not support yet; use a tracepoint or rawtracepoint to read arguments",
		g.spec.Kind, g.plan.attach.Target)
}
