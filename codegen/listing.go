package codegen

import (
	"fmt"
	"strings"
)

// Listing renders the Object for `gbt -d codegen`: the maps, the printf
// formats, then every program's instructions with the script's source as
// comments (printed when it changes) and the labels. It is deterministic.
func (o *Object) Listing() string {
	var b strings.Builder
	for _, m := range o.Maps {
		fmt.Fprintf(&b, "map %s: %v key %d value %d entries %d", m.Name, m.Type, m.KeySize, m.ValueSize, m.MaxEntries)
		if m.Kind == MapScript {
			key := "none"
			if m.KeyType != nil {
				key = m.KeyType.String()
			}
			fmt.Fprintf(&b, " (%s key %s value %s)", m.ScriptName, key, m.ValueType)
		}
		b.WriteByte('\n')
	}
	for i, f := range o.Printfs {
		listFormat(&b, "printf", i, f)
	}
	for i, f := range o.Systems {
		listFormat(&b, "system", i, f)
	}
	for _, w := range o.Warnings {
		fmt.Fprintf(&b, "warning at %s: %s\n", w.Pos, w.Msg)
	}
	for i, e := range o.RuntimeErrors {
		fmt.Fprintf(&b, "runtime error %d at %s: %s\n", i, e.Pos, e.Msg)
	}
	for _, p := range o.Programs {
		fmt.Fprintf(&b, "\nprogram %s: %s at %s, %v, %s\n", p.Name, p.Probe, p.Pos, p.Type, p.Attach.describe())
		last := ""
		for i, ins := range p.Insns {
			if sym := ins.Symbol(); sym != "" {
				fmt.Fprintf(&b, "%s:\n", sym)
			}
			if src := ins.Source(); src != nil && src.String() != last {
				last = src.String()
				fmt.Fprintf(&b, "\t; %s\n", last)
			}
			fmt.Fprintf(&b, "\t%3d: %v\n", i, ins)
		}
	}
	return b.String()
}

// listFormat lists one entry of a format table (printf, system).
func listFormat(b *strings.Builder, what string, i int, f *PrintfFormat) {
	fmt.Fprintf(b, "%s %d at %s: %q size %d", what, i, f.Pos, f.Format, f.Size)
	for _, a := range f.Args {
		fmt.Fprintf(b, " [%d:%s]", a.Offset, a.Type)
	}
	b.WriteByte('\n')
}

func (a Attach) describe() string {
	s := a.Kind.String()
	switch a.Kind {
	case AttachTracepoint:
		s += " " + a.Group + ":" + a.Event
	case AttachRawTracepoint:
		s += " " + a.Event
	case AttachInterval:
		s += fmt.Sprintf(" period %dns", a.Period)
	case AttachProfile:
		if a.Frequency > 0 {
			s += fmt.Sprintf(" %dHz", a.Frequency)
		} else {
			s += fmt.Sprintf(" period %dns", a.Period)
		}
	case AttachSoftware, AttachHardware:
		s += fmt.Sprintf(" %s period %d", a.Event, a.Period)
	case AttachFentry, AttachFexit:
		s += " "
		if a.Group != "" {
			s += a.Group + ":"
		}
		s += a.Target
	case AttachKprobe, AttachKretprobe, AttachUprobe, AttachUretprobe:
		if a.Binary != "" {
			s += " " + a.Binary + ":"
		} else {
			s += " "
		}
		s += a.Target
		if a.Offset > 0 {
			s += fmt.Sprintf("+%d", a.Offset)
		}
	case AttachUSDT:
		s += fmt.Sprintf(" %s:%s at %#x", a.Binary, a.Target, a.Offset)
	}
	return s
}
