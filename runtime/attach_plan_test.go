package runtime

import (
	"testing"

	"github.com/cilium/ebpf"
	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/codegen"
)

func TestPlanAttachPoint(t *testing.T) {
	tests := []struct {
		plan codegen.Attach
		want AttachPoint
	}{
		{codegen.Attach{Kind: codegen.AttachBegin}, AttachPoint{Kind: KindBegin}},
		{codegen.Attach{Kind: codegen.AttachEnd}, AttachPoint{Kind: KindEnd}},
		{codegen.Attach{Kind: codegen.AttachTracepoint, Group: "sched", Event: "sched_switch"},
			AttachPoint{Kind: KindTracepoint, Target: "sched:sched_switch"}},
		{codegen.Attach{Kind: codegen.AttachRawTracepoint, Group: "vmlinux", Event: "sys_enter"},
			AttachPoint{Kind: KindRawTracepoint, Target: "sys_enter"}},
		{codegen.Attach{Kind: codegen.AttachInterval, Period: 1e9}, AttachPoint{Kind: KindInterval, Period: 1e9}},
		{codegen.Attach{Kind: codegen.AttachProfile, Frequency: 99}, AttachPoint{Kind: KindProfile, Frequency: 99}},
		{codegen.Attach{Kind: codegen.AttachSoftware, Event: "page-faults", Period: 100},
			AttachPoint{Kind: KindSoftware, Target: "page-faults", Period: 100}},
		{codegen.Attach{Kind: codegen.AttachKprobe, Target: "vfs_read", Offset: 4},
			AttachPoint{Kind: KindKprobe, Target: "vfs_read", Offset: 4}},
		{codegen.Attach{Kind: codegen.AttachKretprobe, Target: "vfs_read"}, AttachPoint{Kind: KindKretprobe, Target: "vfs_read"}},
		{codegen.Attach{Kind: codegen.AttachUprobe, Binary: "/bin/bash", Target: "readline", Offset: 8},
			AttachPoint{Kind: KindUprobe, Target: "/bin/bash", Symbol: "readline", Offset: 8}},
		{codegen.Attach{Kind: codegen.AttachUretprobe, Binary: "libc", Target: "malloc"},
			AttachPoint{Kind: KindUretprobe, Target: "libc", Symbol: "malloc"}},
		{codegen.Attach{Kind: codegen.AttachUSDT, Binary: "/usr/bin/python3", Target: "python:function__entry", Offset: 0x1234},
			AttachPoint{Kind: KindUSDT, Target: "/usr/bin/python3", Symbol: "python:function__entry", Offset: 0x1234}},
		{codegen.Attach{Kind: codegen.AttachFentry, Target: "vfs_read"}, AttachPoint{Kind: KindFentry, Target: "vfs_read"}},
		{codegen.Attach{Kind: codegen.AttachFexit, Group: "ext4", Target: "ext4_sync_fs"}, AttachPoint{Kind: KindFexit, Target: "ext4_sync_fs"}},
		{codegen.Attach{Kind: codegen.AttachHardware, Event: "cycles", Period: 1e6},
			AttachPoint{Kind: KindHardware, Target: "cycles", Period: 1e6}},
	}
	for _, tt := range tests {
		got, err := PlanAttachPoint(tt.plan)
		if err != nil {
			t.Errorf("PlanAttachPoint(%+v): %v", tt.plan, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("PlanAttachPoint(%+v) (-want +got):\n%s", tt.plan, diff)
		}
	}
	if _, err := PlanAttachPoint(codegen.Attach{Kind: 1000}); err == nil {
		t.Error("unknown kind: no error")
	}
}

// A tracing program is loaded against its target function.
func TestCollectionSpecTracing(t *testing.T) {
	obj := &codegen.Object{Programs: []*codegen.Program{
		{Name: "fentry_vfs_read", Type: ebpf.Tracing, Attach: codegen.Attach{Kind: codegen.AttachFentry, Target: "vfs_read"}},
		{Name: "fexit_vfs_read", Type: ebpf.Tracing, Attach: codegen.Attach{Kind: codegen.AttachFexit, Target: "vfs_read"}},
		{Name: "hardware_cycles", Type: ebpf.PerfEvent, Attach: codegen.Attach{Kind: codegen.AttachHardware, Event: "cycles"}},
	}}
	spec := CollectionSpec(obj)
	want := map[string][2]any{
		"fentry_vfs_read": {ebpf.AttachTraceFEntry, "vfs_read"},
		"fexit_vfs_read":  {ebpf.AttachTraceFExit, "vfs_read"},
		"hardware_cycles": {ebpf.AttachNone, ""},
	}
	for name, w := range want {
		ps := spec.Programs[name]
		if got := [2]any{ps.AttachType, ps.AttachTo}; got != w {
			t.Errorf("%s: AttachType, AttachTo = %v, want %v", name, got, w)
		}
	}
}
