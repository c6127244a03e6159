package lang

import "testing"

func TestProbeSpecs(t *testing.T) {
	valid := []string{
		"BEGIN", "END", "interval:s:1", "interval:ms:100", "interval:1s", "i:us:500", "profile:hz:99",
		"profile:ms:10", "p:s:1", "software:cpu-clock:100000", "software:page-faults", "s:cs:1",
		"hardware:cycles:1000000", "tracepoint:syscalls:sys_enter_openat", "t:syscalls:sys_enter_*",
		"tracepoint:sched:sched_switch", "rawtracepoint:sched_switch", "rawtracepoint:vmlinux:sched_switch",
		"kprobe:do_sys_open", "kprobe:vfs_read+0x10", "kretprobe:vfs_read", "fentry:vfs_read", "kfunc:vfs_read",
		"fexit:vmlinux:vfs_read", "uprobe:/bin/bash:readline", "uprobe:/bin/bash:main+8", "uretprobe:/bin/bash:readline",
		"usdt:/usr/bin/python3:function__entry", "usdt:/usr/bin/python3:python:function__entry",
		"watchpoint:0x10000000:8:rw", "iter:task",
	}
	for _, spec := range valid {
		if list := diagnose("t.bt", []byte(spec+" { exit(); }")); len(list) > 0 {
			t.Errorf("%s: %v", spec, list)
		}
	}
	invalid := map[string]string{
		"interval:xs:1":          "xs is not an accepted unit of time",
		"interval:s:0":           "invalid rate of interval probe: '0'",
		"interval:1":             "interval probe type requires 2 arguments",
		"interval":               "interval probe type requires 1 or 2 arguments",
		"profile:ns:10":          "ns is not an accepted unit of time",
		"software:foo:1":         "foo is not a software probe",
		"software:cpu-clock:x":   "invalid count for software probe: 'x'",
		"hardware:cpu-clock:1":   "cpu-clock is not a hardware probe",
		"tracepoint:sched":       "tracepoint probe type requires 2 arguments",
		"tracepoint:a:b:c":       "tracepoint probe type requires 2 arguments",
		"kprobe:vfs_read+x":      "invalid offset 'x'",
		"kprobe:vfs_*+8":         "can not use wildcards with an offset",
		"uretprobe:/bin/sh:f+8":  "offsets are not allowed in uretprobe probes",
		"uprobe:/bin/sh":         "uprobe probe type requires 2 arguments",
		"watchpoint:0x10:8:rz":   "invalid watchpoint mode 'rz' (a combination of r, w and x)",
		"watchpoint:zz:8:rw":     "invalid watchpoint address 'zz'",
		"profile:hz:*":           "wildcards are not allowed in profile probes",
		"nosuchkind:foo":         "Invalid probe type: nosuchkind",
		"iter:task:extra":        "iter probe type requires 1 argument",
		"rawtracepoint:a:b:c":    "rawtracepoint probe type requires 1 or 2 arguments",
		"usdt:/bin/x:a:b:c":      "usdt probe type requires 2 or 3 arguments",
		"software:cpu-clock:0x0": "invalid count for software probe: '0x0'",
	}
	for spec, want := range invalid {
		list := diagnose("t.bt", []byte(spec+" { exit(); }"))
		if len(list) != 1 || list[0].Msg != want {
			t.Errorf("%s: got %v, want %q", spec, list, want)
		}
	}
}

// Builtins restricted to some probe kinds are checked against every spec
// of a probe that shares one action.
func TestBuiltinProbeKinds(t *testing.T) {
	ok := []string{
		"kretprobe:vfs_read, uretprobe:/bin/bash:readline { @[retval] = count(); }",
		"kprobe:vfs_read, uprobe:/bin/bash:readline, usdt:/bin/x:p { @[arg0] = count(); }",
		"tracepoint:syscalls:sys_enter_read, rawtracepoint:sys_enter { @[args.fd] = count(); }",
	}
	for _, src := range ok {
		if list := diagnose("t.bt", []byte(src)); len(list) > 0 {
			t.Errorf("%s: %v", src, list)
		}
	}
	list := diagnose("t.bt", []byte("kretprobe:vfs_read, tracepoint:syscalls:sys_exit_read { @[retval] = count(); }"))
	if len(list) != 1 || list[0].Hint != "try args.ret instead" {
		t.Errorf("retval in a tracepoint: %v", list)
	}
}
