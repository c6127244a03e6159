package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/stdlib"
)

// The builtins that act on the system rather than observe it. The checker
// accepts them only with --unsafe (lang.CheckOptions.Unsafe), so a script
// that reaches the code generator with them has been allowed to.

// systemCall emits system(fmt, args...): an EventSystem record laid out
// like a printf record; user space formats the command, runs it with the
// shell and prints what it writes (events.go).
func systemCall(g *gen, c *ast.Call) { g.formatted(c, EventSystem, &g.c.obj.Systems) }

// signalCall emits signal(sig): bpf_send_signal sends sig to the process
// of the task that hit the probe. sig is an integer expression or a
// signal's name ("SIGKILL", "KILL"), which becomes its number here. The
// helper's result is dropped, as bpftrace drops it: the kernel refuses to
// signal kernel threads, init and exiting tasks, and a number that is no
// signal, and the program goes on.
//
// Every program type gbt emits may call the helper (the kernel gives it
// to kprobe, tracepoint, raw tracepoint, perf event and tracing programs
// alike). In BEGIN and END, which gbt runs in its own process, the
// signal goes to gbt, as current bpftrace's go to bpftrace; in interval,
// profile and software probes, to whatever task the CPU was running.
func signalCall(g *gen, c *ast.Call) {
	arg := c.Args[0]
	if n, ok := stdlib.IntValue(arg); ok && n == int64(int32(n)) {
		g.emit(asm.Mov.Imm(asm.R1, int32(n)))
	} else if isScalar(g.typeOf(arg)) {
		v := g.intExpr(arg)
		g.regs.load(asm.R1, v)
		g.regs.free(v)
	} else {
		name, _ := stdlib.StrValue(arg)
		n := stdlib.SignalNumber(name)
		if n < 1 {
			g.fail(arg, "invalid signal name: %s", name)
			return
		}
		g.emit(asm.Mov.Imm(asm.R1, int32(n)))
	}
	g.emit(asm.FnSendSignal.Call())
}
