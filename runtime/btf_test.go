package runtime

import "testing"

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
