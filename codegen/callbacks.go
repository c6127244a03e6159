package codegen

import (
	"reflect"
	"sort"
	"strings"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gbt-project/gbt/lang/ast"
)

// Map iteration: `for ($kv : @map) { body }` and len(@map) call the
// bpf_for_each_map_elem helper with a callback, a BPF subprogram emitted
// after the probe's own instructions and referenced by a function pointer.
// The kernel calls it with R1 = the map, R2 = the key, R3 = the value and
// R4 = the context pointer the program passed, here the address of the
// program's saved context (its ctx slot), so that builtins in the body can
// read the probe's context. The callback returns 0 to go on and 1 to stop.
//
// The body runs in the callback's own stack frame: $kv and the variables
// the body assigns live there. Variables of the enclosing probe that the
// body uses are copied in from the probe's frame (through the context
// pointer, which points into it) when the callback starts and copied back
// when it returns; callbacks run one at a time, so the body sees and
// updates them as if it ran in the probe. break stops the iteration,
// continue goes to the next element; exit() and return stop it and set a
// flag in the probe's frame, after which the probe ends too.
//
// Programs with subprograms carry BTF function information for every
// function, which the kernel requires for function pointers.

// callbackGen returns a generator for a callback body named name: its own
// stack frame, registers and variables, sharing the label counter and the
// subprogram list with g.
func (g *gen) callbackGen(name string) *gen {
	cb := &gen{c: g.c, probe: g.probe, spec: g.spec, plan: g.plan, index: g.index,
		alias: map[string]string{}, vars: map[string]*variable{}, labels: g.labels,
		src: g.src, subprogs: g.subprogs}
	if cb.subprogs == nil {
		cb.subprogs = &[]asm.Instructions{}
		g.subprogs = cb.subprogs
	}
	cb.regs = newRegAlloc(cb, []asm.Register{asm.R6, asm.R7, asm.R8, asm.R9})
	cb.ctxSlot = cb.stack.alloc(8)
	cb.pending = name
	return cb
}

// finishCallback adds a callback's instructions to the subprograms and
// takes its label count and failure back into g; n is the construct that
// needed the callback.
func (g *gen) finishCallback(cb *gen, n ast.Node) {
	g.labels = cb.labels
	if cb.failed {
		g.failed = true
		return
	}
	if cb.stack.overrun {
		g.fail(n, "a for loop's body needs %d bytes of stack, more than the kernel allows", cb.stack.max)
		return
	}
	insns := cb.insns
	for i, ins := range insns {
		if to, ok := cb.alias[ins.Reference()]; ok && ins.OpCode.Class().IsJump() {
			insns[i] = ins.WithReference(to)
		}
	}
	*g.subprogs = append(*g.subprogs, prune(insns))
}

// forEachMapElem calls bpf_for_each_map_elem(map, callback, &ctx slot, 0);
// the helper's result, the number of elements visited, is in R0.
func (g *gen) forEachMapElem(mp *Map, callback string) {
	g.ctxUsed = true
	fn := asm.Instruction{OpCode: asm.LoadImmOp(asm.DWord), Dst: asm.R2, Src: asm.PseudoFunc, Constant: -1}
	g.emit(asm.LoadMapPtr(asm.R1, 0).WithReference(mp.Name),
		fn.WithReference(callback),
		onRealStack(asm.Mov.Reg(asm.R3, asm.RFP)), asm.Add.Imm(asm.R3, int32(g.ctxSlot)),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnForEachMapElem.Call())
}

// iterableMap returns the map of a for loop or len(), or nil after
// reporting why it cannot be iterated.
func (g *gen) iterableMap(m *ast.MapExpr, what string) *Map {
	mp := g.scriptMap(m, nil)
	if mp == nil {
		return nil
	}
	if mp.Agg != ast.AggNone && what == "for" && !iterableAgg(mp.Agg) {
		g.fail(m, "a for loop over the %s() map %s is not implemented yet", mp.Agg, m.Name)
		return nil
	}
	if mp.Hist != nil {
		// Its elements are (key, bucket) pairs, not keys.
		g.fail(m, "%s of the %s() map %s is not implemented yet", what, mp.Agg, m.Name)
		return nil
	}
	return mp
}

// forMapStmt emits `for ($kv : @map) { body }`.
func (g *gen) forMapStmt(x *ast.ForStmt) {
	mp := g.iterableMap(x.Map, "for")
	if mp == nil {
		return
	}
	kvType := x.Var.Type()
	if kvType == nil || kvType.Kind != ast.KTuple || len(kvType.Elems) != 2 || mp.Key == nil {
		g.fail(x.Var, "%s has no (key, value) type", x.Var.Name)
		return
	}
	name := g.newLabel("formap")
	cb := g.callbackGen(name)
	brk, cont, ret := cb.newLabel("fmbreak"), cb.newLabel("fmnext"), cb.newLabel("fmreturn")
	cb.out = ret
	// The flag that return and exit() set, in the probe's frame; in a big
	// frame it is not reachable from the callback, and they only stop the
	// iteration.
	var flag int16
	if !g.bigFrame {
		flag = g.stack.alloc(8)
		g.emit(storeImm(asm.RFP, flag, 0, asm.DWord))
	}
	cb.allocBlockVars(x.Body)
	kv := &variable{off: cb.stack.alloc(cb.c.sizeOf(kvType)), typ: kvType}
	cb.vars[x.Var.Name] = kv
	shared := g.sharedVars(cb, x)
	if g.failed {
		return
	}
	ctxp := cb.stack.alloc(8)
	layout := cb.c.field(kvType, 0)
	// The context, the probe's variables, then the key and the value,
	// copied into $kv.
	cb.emit(asm.StoreMem(asm.RFP, ctxp, asm.R4, asm.DWord),
		asm.LoadMem(asm.R0, asm.R4, 0, asm.DWord), asm.StoreMem(asm.RFP, cb.ctxSlot, asm.R0, asm.DWord))
	for _, v := range shared {
		for i := 0; i < v.size; i += 8 {
			cb.emit(asm.LoadMem(asm.R0, asm.R4, v.outer-g.ctxSlot+int16(i), asm.DWord),
				asm.StoreMem(asm.RFP, v.inner+int16(i), asm.R0, asm.DWord))
		}
	}
	for part, src := range []asm.Register{asm.R2, asm.R3} {
		f := layout.Elems[part]
		size := mp.Key.Size
		if part == 1 {
			if mp.Agg != ast.AggNone {
				cb.combineCPUs(mp, kv.off+int16(f.Offset))
				continue
			}
			size = mp.Value.Size
		}
		for i := 0; i < min(size, align8(f.Size)); i += 8 {
			cb.emit(asm.LoadMem(asm.R0, src, int16(i), asm.DWord),
				asm.StoreMem(asm.RFP, kv.off+int16(f.Offset+i), asm.R0, asm.DWord))
		}
	}
	cb.loopBody(x.Body, loop{cont: cont, brk: brk})
	for _, l := range []struct {
		label string
		ret   int32
	}{{cont, 0}, {brk, 1}, {ret, 1}} {
		cb.label(l.label)
		if len(shared) > 0 || l.label == ret {
			cb.emit(asm.LoadMem(asm.R1, asm.RFP, ctxp, asm.DWord))
		}
		if l.label == ret && flag != 0 {
			cb.emit(storeImm(asm.R1, flag-g.ctxSlot, 1, asm.DWord))
		}
		for _, v := range shared {
			for i := 0; i < v.size; i += 8 {
				cb.emit(asm.LoadMem(asm.R0, asm.RFP, v.inner+int16(i), asm.DWord),
					asm.StoreMem(asm.R1, v.outer-g.ctxSlot+int16(i), asm.R0, asm.DWord))
			}
		}
		cb.emit(asm.Mov.Imm(asm.R0, l.ret), asm.Return())
	}
	g.finishCallback(cb, x)
	g.forEachMapElem(mp, name)
	if flag != 0 {
		g.emit(asm.LoadMem(asm.R1, asm.RFP, flag, asm.DWord), asm.JNE.Imm(asm.R1, 0, g.outLabel()))
	}
}

// mapLen emits len(@map): the number of elements, which
// bpf_for_each_map_elem returns when its callback visits them all.
func mapLen(g *gen, e ast.Expr) *tmp {
	c := e.(*ast.Call)
	m, ok := c.Args[0].(*ast.MapExpr)
	if !ok {
		g.fail(c.Args[0], "len of a stack is not implemented yet")
		return g.zero()
	}
	mp := g.iterableMap(m, "len")
	if mp == nil {
		return g.zero()
	}
	name := g.newLabel("maplen")
	cb := g.callbackGen(name)
	cb.emit(asm.Mov.Imm(asm.R0, 0), asm.Return())
	g.finishCallback(cb, c)
	g.flush()
	g.forEachMapElem(mp, name)
	t := g.regs.alloc()
	g.emit(asm.Mov.Reg(t.reg, asm.R0))
	return t
}

// withSubprograms appends the callbacks after a program's instructions,
// with the BTF function information the kernel needs for them.
func (g *gen) withSubprograms(name string, insns asm.Instructions) asm.Instructions {
	if g.subprogs == nil || len(*g.subprogs) == 0 {
		return insns
	}
	insns[0] = btf.WithFuncMetadata(insns[0], mainFunc(name))
	for _, sub := range *g.subprogs {
		sub[0] = btf.WithFuncMetadata(sub[0], callbackFunc(sub[0].Symbol()))
		insns = append(insns, sub...)
	}
	return insns
}

// mainFunc is the BTF function of a program's main function, name, when
// the program has callbacks: int name(void *ctx).
func mainFunc(name string) *btf.Func {
	i32 := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	ptr := &btf.Pointer{Target: &btf.Void{}}
	return &btf.Func{Name: name, Linkage: btf.GlobalFunc,
		Type: &btf.FuncProto{Return: i32, Params: []btf.FuncParam{{Name: "ctx", Type: ptr}}}}
}

// callbackFunc is the BTF function of a bpf_for_each_map_elem callback:
// static unsigned long name(void *map, void *key, void *value, void *ctx).
func callbackFunc(name string) *btf.Func {
	u64 := &btf.Int{Name: "unsigned long", Size: 8}
	ptr := &btf.Pointer{Target: &btf.Void{}}
	return &btf.Func{Name: name, Linkage: btf.StaticFunc,
		Type: &btf.FuncProto{Return: u64, Params: []btf.FuncParam{
			{Name: "map", Type: ptr}, {Name: "key", Type: ptr}, {Name: "value", Type: ptr}, {Name: "ctx", Type: ptr}}}}
}

// outLabel is where exit() and return jump: the end of the program, or in
// a callback the label that stops the iteration.
func (g *gen) outLabel() string {
	if g.out != "" {
		return g.out
	}
	return "out"
}

// sharedVar is a probe variable a callback uses: its slot in the probe's
// frame (outer) and in the callback's (inner), and its size.
type sharedVar struct {
	outer, inner int16
	size         int
}

// sharedVars gives cb a slot for each variable of g that the body of x
// uses, in name order.
func (g *gen) sharedVars(cb *gen, x *ast.ForStmt) []sharedVar {
	used := map[string]bool{}
	varsIn(reflect.ValueOf(x.Body), used)
	names := make([]string, 0, len(used))
	for n := range used {
		if g.vars[n] != nil && n != x.Var.Name {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) > 0 && g.bigFrame {
		g.fail(x, "the body of a for loop over a map cannot use the probe's variables (%s) when the probe's frame is too big for the stack", strings.Join(names, ", "))
		return nil
	}
	var out []sharedVar
	for _, n := range names {
		pv := g.vars[n]
		size := align8(max(8, g.c.sizeOf(pv.typ)))
		cv := &variable{off: cb.stack.alloc(size), typ: pv.typ}
		cb.vars[n] = cv
		out = append(out, sharedVar{outer: pv.off, inner: cv.off, size: size})
	}
	return out
}

// varsIn adds the names of the scratch variables found under v.
func varsIn(v reflect.Value, names map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if sv, ok := v.Interface().(*ast.Var); ok {
			names[sv.Name] = true
			return
		}
		if _, ok := v.Interface().(*ast.Type); ok {
			return
		}
		varsIn(v.Elem(), names)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				varsIn(v.Field(i), names)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			varsIn(v.Index(i), names)
		}
	}
}

// iterableAgg reports whether a for loop over a map of agg can give its
// values: as an integer combined across CPUs.
func iterableAgg(agg ast.AggKind) bool {
	switch agg {
	case ast.AggCount, ast.AggSum, ast.AggMin, ast.AggMax, ast.AggAvg:
		return true
	}
	return false
}

// maxCPUs bounds the CPUs combineCPUs reads: the verifier needs a bound,
// and walks every iteration.
const maxCPUs = 512

// combineCPUs writes at off the value of the per-CPU aggregation whose key
// R2 points to, combined as the runtime combines it (Map.Agg): the sum of
// count and sum, the least or greatest of min and max among CPUs that
// have a value, and avg's total over its count. It reads each CPU's value
// with bpf_map_lookup_percpu_elem, for the ncpus CPUs of the config map.
// It runs at the callback's start, when no temp is live, so it uses
// R6 (the CPU), R7 (the result), R8 (a count or has-value flag) and R9
// (ncpus) directly.
func (g *gen) combineCPUs(mp *Map, off int16) {
	signed := mp.ValueType != nil && mp.ValueType.Signed
	keyp := g.stack.alloc(8)
	g.emit(asm.StoreMem(asm.RFP, keyp, asm.R2, asm.DWord))
	g.loadConfig(asm.R9, ConfigNcpus)
	loop, next, done := g.newLabel("cpus"), g.newLabel("nextcpu"), g.newLabel("cpusdone")
	g.emit(asm.Mov.Imm(asm.R6, 0), asm.Mov.Imm(asm.R7, 0), asm.Mov.Imm(asm.R8, 0))
	g.label(loop)
	g.emit(asm.JGE.Reg(asm.R6, asm.R9, done), asm.JGE.Imm(asm.R6, maxCPUs, done),
		asm.LoadMapPtr(asm.R1, 0).WithReference(mp.Name),
		asm.LoadMem(asm.R2, asm.RFP, keyp, asm.DWord),
		asm.Mov.Reg(asm.R3, asm.R6),
		asm.FnMapLookupPercpuElem.Call(),
		asm.JEq.Imm(asm.R0, 0, next))
	switch mp.Agg {
	case ast.AggCount, ast.AggSum:
		g.emit(asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), asm.Add.Reg(asm.R7, asm.R1))
	case ast.AggAvg:
		g.emit(asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), asm.Add.Reg(asm.R8, asm.R1),
			asm.LoadMem(asm.R1, asm.R0, 8, asm.DWord), asm.Add.Reg(asm.R7, asm.R1))
	case ast.AggMin, ast.AggMax:
		better := [2]asm.JumpOp{asm.JLT, asm.JSLT}
		if mp.Agg == ast.AggMax {
			better = [2]asm.JumpOp{asm.JGT, asm.JSGT}
		}
		op := better[0]
		if signed {
			op = better[1]
		}
		set := g.newLabel("cpuset")
		g.emit(asm.LoadMem(asm.R1, asm.R0, 8, asm.DWord), asm.JEq.Imm(asm.R1, 0, next),
			asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord),
			asm.JEq.Imm(asm.R8, 0, set), op.Reg(asm.R1, asm.R7, set), asm.Ja.Label(next))
		g.label(set)
		g.emit(asm.Mov.Reg(asm.R7, asm.R1), asm.Mov.Imm(asm.R8, 1))
	}
	g.label(next)
	g.emit(asm.Add.Imm(asm.R6, 1), asm.Ja.Label(loop))
	g.label(done)
	if mp.Agg == ast.AggAvg {
		// The average rounds toward zero, as the runtime's does.
		store, pos := g.newLabel("avgstore"), g.newLabel("avgpos")
		g.emit(asm.JEq.Imm(asm.R8, 0, store))
		if signed {
			g.emit(asm.JSGE.Imm(asm.R7, 0, pos), asm.Neg.Imm(asm.R7, 0), asm.Div.Reg(asm.R7, asm.R8),
				asm.Neg.Imm(asm.R7, 0), asm.Ja.Label(store))
		}
		g.label(pos)
		g.emit(asm.Div.Reg(asm.R7, asm.R8))
		g.label(store)
	}
	g.emit(asm.StoreMem(asm.RFP, off, asm.R7, asm.DWord))
}
