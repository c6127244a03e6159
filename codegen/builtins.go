package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/stdlib"
)

// emitter is the code generator's half of one stdlib entry. Exactly one of
// the hooks is set for a supported builtin; an entry with no hook is known
// but not implemented yet, and Compile reports its uses.
type emitter struct {
	scalar func(g *gen, e ast.Expr) *tmp                  // integer-valued variables and functions
	str    func(g *gen, c *ast.Call, off int16, size int) // string-valued functions, into a buffer
	stmt   func(g *gen, c *ast.Call)                      // statements: printf, exit, delete
	agg    func(g *gen, m *ast.MapExpr, c *ast.Call)      // aggregations into map element m
}

// emitters has one row per stdlib entry, by stdlib name.
var emitters map[string]*emitter

func init() {
	emitters = map[string]*emitter{
		"pid":      {scalar: pidTgid(true)},
		"tid":      {scalar: pidTgid(false)},
		"uid":      {scalar: uidGid(false)},
		"gid":      {scalar: uidGid(true)},
		"username": {scalar: uidGid(false)},
		"nsecs":    {scalar: helperValue(asm.FnKtimeGetNs)},
		"elapsed":  {scalar: elapsed},
		"cpu":      {scalar: helperValue(asm.FnGetSmpProcessorId)},
		"ncpus":    {scalar: configValue(ConfigNcpus)},
		"numaid":   {scalar: helperValue(asm.FnGetNumaNodeId)},
		"cgroup":   {scalar: helperValue(asm.FnGetCurrentCgroupId)},
		"curtask":  {scalar: helperValue(asm.FnGetCurrentTask)},
		"rand":     {scalar: helperValue(asm.FnGetPrandomU32)},
		"jiffies":  {scalar: helperValue(asm.FnJiffies64)},
		"probe":    {scalar: probeID},
		"func":     {scalar: funcAddr},
		"retval":   {scalar: retval},
		"argN":     {scalar: argN},
		"comm":     {}, // a string: emitted by storeString
		"cpid":     {scalar: configValue(ConfigCpid)},
		"args":     {}, // only through its fields: args.name
		"kstack":   {scalar: stackValue(false)},
		"ustack":   {scalar: stackValue(true)},

		"printf":      {stmt: printf},
		"exit":        {stmt: exit},
		"delete":      {stmt: deleteElem},
		"str":         {str: strCall},
		"print":       {stmt: printCall},
		"time":        {stmt: timeCall},
		"strftime":    {}, // a timestamp: emitted by storeTimestamp
		"join":        {stmt: joinCall},
		"cat":         {stmt: catCall},
		"system":      {stmt: systemCall},
		"signal":      {stmt: signalCall},
		"override":    {},
		"buf":         {},
		"ksym":        {scalar: ksym},
		"usym":        {}, // a user symbol: emitted by storeUsym
		"kaddr":       {scalar: kaddr},
		"uaddr":       {scalar: uaddr},
		"ntop":        {},
		"macaddr":     {},
		"clear":       {stmt: mapAction(EventClear)},
		"zero":        {stmt: mapAction(EventZero)},
		"has_key":     {scalar: hasKey},
		"len":         {scalar: mapLen},
		"strncmp":     {scalar: strncmp},
		"strcontains": {scalar: strContains},
		"sizeof":      {scalar: sizeofCall},
		"offsetof":    {scalar: offsetofCall},
		"cgroupid":    {},
		"path":        {},
		"reg":         {scalar: reg},
		"kptr":        {},
		"uptr":        {},

		"count": {agg: aggCount},
		"sum":   {agg: aggSum},
		"avg":   {agg: aggAvg},
		"stats": {agg: aggAvg},
		"min":   {agg: aggMinMax(false)},
		"max":   {agg: aggMinMax(true)},
		"hist":  {agg: aggHist},
		"lhist": {agg: aggHist},
	}
}

// emitterFor finds the emitter of a builtin name as used in the script.
func emitterFor(name string) (*emitter, string) {
	if e := stdlib.Lookup(name); e != nil {
		return emitters[e.Name], e.Name
	}
	return emitters[name], name
}

// builtinVar emits a builtin variable.
func (g *gen) builtinVar(id *ast.Ident) *tmp {
	if v, ok := g.c.consts[id.Name]; ok && stdlib.Lookup(id.Name) == nil {
		return g.constant(v)
	}
	em, name := emitterFor(id.Name)
	if em == nil || em.scalar == nil {
		g.fail(id, "builtin %s is not implemented yet", name)
		return g.zero()
	}
	return em.scalar(g, id)
}

// callInt emits a call whose value is an integer.
func (g *gen) callInt(c *ast.Call) *tmp {
	em, name := emitterFor(c.Name)
	if em == nil || em.scalar == nil {
		g.fail(c, "builtin %s is not implemented yet", name)
		return g.zero()
	}
	return em.scalar(g, c)
}

// helperValue is a builtin that is the result of a helper without
// arguments.
func helperValue(fn asm.BuiltinFunc) func(*gen, ast.Expr) *tmp {
	return func(g *gen, _ ast.Expr) *tmp {
		g.emit(fn.Call())
		t := g.regs.alloc()
		g.emit(asm.Mov.Reg(t.reg, asm.R0))
		return t
	}
}

// pidTgid: the upper half of bpf_get_current_pid_tgid is the process id,
// the lower the thread id.
func pidTgid(upper bool) func(*gen, ast.Expr) *tmp {
	return halves(asm.FnGetCurrentPidTgid, upper)
}

// uidGid: the lower half of bpf_get_current_uid_gid is the uid.
func uidGid(upper bool) func(*gen, ast.Expr) *tmp {
	return halves(asm.FnGetCurrentUidGid, upper)
}

func halves(fn asm.BuiltinFunc, upper bool) func(*gen, ast.Expr) *tmp {
	return func(g *gen, _ ast.Expr) *tmp {
		g.emit(fn.Call())
		t := g.regs.alloc()
		if upper {
			g.emit(asm.Mov.Reg(t.reg, asm.R0), asm.RSh.Imm(t.reg, 32))
		} else {
			g.emit(asm.Mov.Reg32(t.reg, asm.R0))
		}
		return t
	}
}

// configValue reads an 8-byte field of the config map.
func configValue(off int16) func(*gen, ast.Expr) *tmp {
	return func(g *gen, _ ast.Expr) *tmp {
		t := g.regs.alloc()
		g.loadConfig(t.reg, off)
		return t
	}
}

// loadConfig loads the config field at off into dst (0 if the map is
// somehow empty).
func (g *gen) loadConfig(dst asm.Register, off int16) {
	g.c.config = true
	key := g.stack.alloc(8)
	done := g.newLabel("cfg")
	g.emit(storeImm(asm.RFP, key, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, 0).WithReference(ConfigName),
		asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(key)),
		asm.FnMapLookupElem.Call(),
		asm.Mov.Imm(dst, 0),
		asm.JEq.Imm(asm.R0, 0, done),
		asm.LoadMem(dst, asm.R0, off, asm.DWord))
	g.label(done)
}

func elapsed(g *gen, _ ast.Expr) *tmp {
	t := g.regs.alloc()
	g.loadConfig(t.reg, ConfigStartNs)
	g.emit(asm.FnKtimeGetNs.Call(), asm.Sub.Reg(asm.R0, t.reg), asm.Mov.Reg(t.reg, asm.R0))
	return t
}

// probeID is the program's index in Object.Programs; user space prints
// the probe's name.
func probeID(g *gen, _ ast.Expr) *tmp { return g.constant(int64(g.index)) }

// x86-64 struct pt_regs offsets of the argument registers, the return
// value and the instruction pointer.
var ptRegsArgs = []int16{112, 104, 96, 88, 72, 64} // di si dx cx r8 r9

const (
	ptRegsAX = 80
	ptRegsIP = 128
)

func argN(g *gen, e ast.Expr) *tmp {
	id, _ := e.(*ast.Ident)
	n, ok := stdlib.ArgIndex(id.Name)
	if !ok {
		g.fail(e, "bad argument name %s", id.Name)
		return g.zero()
	}
	if g.plan.usdt != nil {
		return g.usdtArg(e, n)
	}
	var off int16
	switch {
	case g.plan.argRegs && n < len(ptRegsArgs):
		off = ptRegsArgs[n]
	case g.plan.attach.Kind == AttachRawTracepoint && n < 12:
		if count, ok := g.rawTracepointArgs(); ok && n >= count {
			g.fail(e, "%s has %d arguments: %s does not exist", g.plan.probe, count, id.Name)
			return g.zero()
		}
		off = int16(8 * n)
	default:
		g.fail(e, "%s is not available in %s probes", id.Name, g.spec.Kind)
		return g.zero()
	}
	return g.ctxLoad(off)
}

// rawTracepointArgs returns the number of arguments of the program's raw
// tracepoint, when Options.Types knows it.
func (g *gen) rawTracepointArgs() (int, bool) {
	info, ok := g.c.opts.Types.(RawTracepointInfo)
	if !ok {
		return 0, false
	}
	n, err := info.RawTracepointArgs(g.plan.attach.Event)
	return n, err == nil
}

func (g *gen) ctxLoad(off int16) *tmp {
	t := g.regs.alloc()
	g.ctx(asm.R1)
	g.emit(asm.LoadMem(t.reg, asm.R1, off, asm.DWord))
	return t
}

func retval(g *gen, e ast.Expr) *tmp {
	if !g.plan.argRegs {
		g.fail(e, "retval is not available in %s probes", g.spec.Kind)
		return g.zero()
	}
	return g.ctxLoad(ptRegsAX)
}

func funcAddr(g *gen, e ast.Expr) *tmp {
	if !g.plan.argRegs {
		g.fail(e, "func is not available in %s probes", g.spec.Kind)
		return g.zero()
	}
	if k := g.plan.attach.Kind; k == AttachKretprobe || k == AttachUretprobe {
		// The instruction pointer is the return address; the helper
		// knows the probed function's.
		g.ctx(asm.R1)
		g.emit(asm.FnGetFuncIp.Call())
		t := g.regs.alloc()
		g.emit(asm.Mov.Reg(t.reg, asm.R0))
		return t
	}
	return g.ctxLoad(ptRegsIP)
}

// strCall emits str(p[, n]): a NUL-terminated string read from kernel or
// user memory, zero-padded so that equal strings are equal keys. A
// non-literal n is clamped to the string's size at run time.
func strCall(g *gen, c *ast.Call, off int16, size int) {
	if len(c.Args) == 0 {
		g.fail(c, "str needs an argument")
		return
	}
	n := size
	var dyn *tmp
	if len(c.Args) == 2 {
		if imm, ok := immOf(c.Args[1]); ok {
			if int(imm)+1 < n && imm >= 0 {
				n = int(imm) + 1
			}
		} else {
			dyn = g.intExpr(c.Args[1])
		}
	}
	if t := g.typeOf(c.Args[0]); t != nil && t.Kind == ast.KString {
		if dyn != nil {
			g.regs.free(dyn)
		}
		g.storeString(c.Args[0], off, size)
		return
	}
	p := g.intExpr(c.Args[0])
	g.zeroFill(off, size)
	if dyn != nil {
		// R2 = n + 1 (room for the NUL), within 0..size.
		g.clampLen(dyn, 1, size)
	} else {
		g.emit(asm.Mov.Imm(asm.R2, int32(n)))
	}
	g.regs.load(asm.R3, p)
	g.regs.free(p)
	fn := asm.FnProbeReadKernelStr
	if g.userPointers() {
		fn = asm.FnProbeReadUserStr
	}
	g.emit(asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, int32(off)), fn.Call())
}

// userPointers reports whether pointers in this probe's arguments point to
// user memory: syscall tracepoints and user-space probes.
func (g *gen) userPointers() bool {
	a := g.plan.attach
	switch a.Kind {
	case AttachUprobe, AttachUretprobe, AttachUSDT:
		return true
	case AttachTracepoint:
		return a.Group == "syscalls"
	}
	return false
}

// hasKey emits has_key(@m, k): 1 when the map holds the key.
func hasKey(g *gen, e ast.Expr) *tmp {
	c := e.(*ast.Call)
	m, ok := c.Args[0].(*ast.MapExpr)
	if !ok || len(c.Args) != 2 {
		g.fail(c, "has_key expects a map and a key")
		return g.zero()
	}
	elem := &ast.MapExpr{Span: m.Span, Name: m.Name, Keys: []ast.Expr{c.Args[1]}}
	if tk, ok := c.Args[1].(*ast.Tuple); ok {
		elem.Keys = tk.Elems
	}
	mp := g.scriptMap(elem, nil)
	if mp == nil {
		return g.zero()
	}
	key := g.mapKey(elem, mp)
	if mp.Hist != nil {
		return g.histHasKey(mp, key)
	}
	g.lookup(mp, key)
	t := g.regs.alloc()
	done := g.newLabel("has")
	g.emit(asm.Mov.Imm(t.reg, 0), asm.JEq.Imm(asm.R0, 0, done), asm.Mov.Imm(t.reg, 1))
	g.label(done)
	return t
}

// strncmp emits strncmp(s1, s2, n) with a literal n: 0 when the strings
// agree on their first n bytes (or up to a common NUL), 1 otherwise.
func strncmp(g *gen, e ast.Expr) *tmp {
	c := e.(*ast.Call)
	n, ok := immOf(c.Args[2])
	if !ok || n < 0 {
		g.fail(c.Args[2], "strncmp needs a non-negative literal length")
		return g.zero()
	}
	res := g.branchResult()
	g.flush()
	differ, end := g.newLabel("differ"), g.newLabel("cmp")
	if n == 0 {
		g.emit(storeImm(asm.RFP, res.slot, 0, asm.DWord))
		return res
	}
	g.strCompare(c.Args[0], c.Args[1], false, int(n), differ)
	g.emit(storeImm(asm.RFP, res.slot, 0, asm.DWord), asm.Ja.Label(end))
	g.label(differ)
	g.emit(storeImm(asm.RFP, res.slot, 1, asm.DWord))
	g.label(end)
	return res
}

// ksym(addr) is the address itself; user space prints the kernel symbol.
func ksym(g *gen, e ast.Expr) *tmp {
	return g.intExpr(e.(*ast.Call).Args[0])
}
