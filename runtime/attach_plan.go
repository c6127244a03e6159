package runtime

import (
	"fmt"

	"github.com/gbt-project/gbt/codegen"
)

// PlanAttachPoint translates codegen's attach plan of one program into the
// AttachPoint that Attach takes. BEGIN and END plans give KindBegin and
// KindEnd, which the caller runs with RunOnce instead of attaching.
func PlanAttachPoint(a codegen.Attach) (AttachPoint, error) {
	switch a.Kind {
	case codegen.AttachBegin:
		return AttachPoint{Kind: KindBegin}, nil
	case codegen.AttachEnd:
		return AttachPoint{Kind: KindEnd}, nil
	case codegen.AttachTracepoint:
		return AttachPoint{Kind: KindTracepoint, Target: a.Group + ":" + a.Event}, nil
	case codegen.AttachRawTracepoint:
		// The kernel finds a raw tracepoint by name in vmlinux and in
		// every module, so the module (Group) is not needed.
		return AttachPoint{Kind: KindRawTracepoint, Target: a.Event}, nil
	case codegen.AttachInterval:
		return AttachPoint{Kind: KindInterval, Period: a.Period}, nil
	case codegen.AttachProfile:
		return AttachPoint{Kind: KindProfile, Period: a.Period, Frequency: a.Frequency}, nil
	case codegen.AttachSoftware:
		return AttachPoint{Kind: KindSoftware, Target: a.Event, Period: a.Period}, nil
	case codegen.AttachKprobe:
		return AttachPoint{Kind: KindKprobe, Target: a.Target, Offset: a.Offset}, nil
	case codegen.AttachKretprobe:
		return AttachPoint{Kind: KindKretprobe, Target: a.Target}, nil
	case codegen.AttachUprobe:
		return AttachPoint{Kind: KindUprobe, Target: a.Binary, Symbol: a.Target, Offset: a.Offset}, nil
	case codegen.AttachUretprobe:
		return AttachPoint{Kind: KindUretprobe, Target: a.Binary, Symbol: a.Target}, nil
	case codegen.AttachFentry:
		return AttachPoint{Kind: KindFentry, Target: a.Target}, nil
	case codegen.AttachFexit:
		return AttachPoint{Kind: KindFexit, Target: a.Target}, nil
	case codegen.AttachHardware:
		return AttachPoint{Kind: KindHardware, Target: a.Event, Period: a.Period}, nil
	case codegen.AttachUSDT:
		return AttachPoint{Kind: KindUSDT, Target: a.Binary, Symbol: a.Target, Offset: a.Offset}, nil
	}
	return AttachPoint{}, fmt.Errorf("attach plan of kind %d: the runtime does not know it", a.Kind)
}
