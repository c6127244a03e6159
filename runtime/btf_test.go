package runtime

import (
	"os"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// The running kernel's BTF gives each raw tracepoint's argument count.
func TestBTFRawTracepointArgs(t *testing.T) {
	if _, err := kernelTypes.load(); err != nil {
		t.Skipf("no kernel BTF: %v", err)
	}
	for event, want := range map[string]int{"sys_enter": 2, "sys_exit": 2, "sched_process_exec": 3} {
		got, err := kernelTypes.RawTracepointArgs(event)
		if err != nil || got != want {
			t.Errorf("RawTracepointArgs(%s) = %d, %v; want %d", event, got, err, want)
		}
	}
	if _, err := kernelTypes.RawTracepointArgs("no_such_event"); err == nil {
		t.Error("no_such_event: no error")
	}
}

// kernelSpec loads the running kernel's BTF, or skips the test without
// it (a failure under GBT_KERNEL_TESTS=1).
func kernelSpec(t *testing.T) *btf.Spec {
	t.Helper()
	spec, err := kernelTypes.load()
	if err != nil {
		if os.Getenv("GBT_KERNEL_TESTS") == "1" {
			t.Fatalf("no kernel BTF: %v", err)
		}
		t.Skipf("no kernel BTF: %v", err)
	}
	return spec
}

// Size gives the byte size of structs, unions, enums, typedefs and base
// types, as cilium/ebpf's btf package reads them.
func TestBTFSize(t *testing.T) {
	spec := kernelSpec(t)
	var task *btf.Struct
	var attr *btf.Union
	if err := spec.TypeByName("task_struct", &task); err != nil {
		t.Fatal(err)
	}
	if err := spec.TypeByName("bpf_attr", &attr); err != nil {
		t.Fatal(err)
	}
	for typ, want := range map[string]int{
		"struct task_struct": int(task.Size),
		"union bpf_attr":     int(attr.Size),
		"enum pid_type":      4,
		"pid_t":              4,
		"u64":                8,
		"unsigned int":       4,
	} {
		got, err := kernelTypes.Size(typ)
		if err != nil || got != want {
			t.Errorf("Size(%s) = %d, %v; want %d", typ, got, err, want)
		}
	}
	if task.Size <= 1000 {
		t.Errorf("struct task_struct is %d bytes, expected more than 1000", task.Size)
	}
	for typ, msg := range map[string]string{
		"struct no_such_type": "unknown type struct no_such_type",
		"task_struct":         "unknown type task_struct (there is a struct task_struct)",
		"union task_struct":   "unknown type union task_struct",
	} {
		if _, err := kernelTypes.Size(typ); err == nil || err.Error() != msg {
			t.Errorf("Size(%s): error %v, want %q", typ, err, msg)
		}
	}
}

// directMember finds a named member among a struct's own members.
func directMember(t *testing.T, s *btf.Struct, name string) btf.Member {
	t.Helper()
	for _, m := range s.Members {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("struct %s has no direct member %s", s.Name, name)
	return btf.Member{}
}

// A dotted member path adds the offsets of the embedded members.
func TestBTFMemberPath(t *testing.T) {
	spec := kernelSpec(t)
	var task, se *btf.Struct
	if err := spec.TypeByName("task_struct", &task); err != nil {
		t.Fatal(err)
	}
	if err := spec.TypeByName("sched_entity", &se); err != nil {
		t.Fatal(err)
	}
	pid := directMember(t, task, "pid")
	seMember := directMember(t, task, "se")
	vruntime := directMember(t, se, "vruntime")
	for path, want := range map[string]btf.Bits{
		"pid":         pid.Offset,
		"se":          seMember.Offset,
		"se.vruntime": seMember.Offset + vruntime.Offset,
	} {
		m, err := kernelTypes.Member("struct task_struct", path)
		if err != nil || m.Offset != int(want/8) {
			t.Errorf("Member(struct task_struct, %s) = %+v, %v; want offset %d", path, m, err, want/8)
		}
	}
	for path, msg := range map[string]string{
		"pid.x":        "member pid of struct task_struct is not a struct or union",
		"se.nosuch":    "member se of struct task_struct has no member named nosuch",
		"nosuch.field": "struct task_struct has no member named nosuch",
	} {
		if _, err := kernelTypes.Member("struct task_struct", path); err == nil || err.Error() != msg {
			t.Errorf("Member(struct task_struct, %s): error %v, want %q", path, err, msg)
		}
	}
}
