package codegen

import (
	"encoding/binary"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// Actions that user space performs in order with the printf stream: print,
// clear, zero and time. Each is a ring buffer record (events.go).

// mapIndexMeta tags the instruction that stores a map's index in a record
// header; finishMaps patches in the index once Object.Maps is ordered.
type mapIndexMeta struct{}

// mapHeader writes the header of a record about a whole map.
func (g *gen) mapHeader(off int16, kind EventKind, mapName string) {
	lo, hi := off, off+4
	if binary.NativeEndian.Uint32([]byte{1, 0, 0, 0}) != 1 {
		lo, hi = hi, lo
	}
	idx := storeImm(asm.RFP, lo, 0, asm.Word)
	idx.Metadata.Set(mapIndexMeta{}, mapName)
	g.emit(idx, storeImm(asm.RFP, hi, int64(kind), asm.Word))
}

// wholeMap returns the map a clear/zero/print argument names.
func (g *gen) wholeMap(c *ast.Call, arg ast.Expr) *Map {
	m, ok := arg.(*ast.MapExpr)
	if !ok || len(m.Keys) > 0 {
		g.fail(arg, "%s expects a map", c.Name)
		return nil
	}
	return g.scriptMap(m, nil)
}

// mapAction emits clear(@m) and zero(@m): an 8-byte record.
func mapAction(kind EventKind) func(*gen, *ast.Call) {
	return func(g *gen, c *ast.Call) {
		mp := g.wholeMap(c, c.Args[0])
		if mp == nil {
			return
		}
		rec := g.stack.alloc(EventHeaderSize)
		g.mapHeader(rec, kind, mp.Name)
		g.output(rec, EventHeaderSize)
	}
}

// PrintMapRecordSize is the size of an EventPrint record: the header, then
// print's top and div arguments as 8-byte integers (0 when not given).
const PrintMapRecordSize = 24

// printCall emits print(@m[, top[, div]]) and print(value).
func printCall(g *gen, c *ast.Call) {
	if t := c.Args[0].Type(); t == nil || t.Kind != ast.KMap {
		g.printValue(c)
		return
	}
	mp := g.wholeMap(c, c.Args[0])
	if mp == nil {
		return
	}
	rec := g.stack.alloc(PrintMapRecordSize)
	for i := 1; i <= 2; i++ {
		if i < len(c.Args) {
			g.store(c.Args[i], rec+int16(8*i), ast.Int(8, false))
		} else {
			g.emit(storeImm(asm.RFP, rec+int16(8*i), 0, asm.DWord))
		}
	}
	g.mapHeader(rec, EventPrint, mp.Name)
	g.output(rec, PrintMapRecordSize)
}

// isArgs reports whether e is the args builtin itself.
func isArgs(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "args"
}

// printValue emits print(value): an EventPrintValue record laid out like a
// printf record with one argument, described in Object.PrintValues.
func (g *gen) printValue(c *ast.Call) {
	a := c.Args[0]
	t := g.typeOf(a)
	if !storable(t) {
		switch {
		case g.failed:
			// Reported where the type could not be made concrete.
		case isArgs(a):
			g.fail(a, "print(args) is not supported: print its fields (args.NAME) instead")
		default:
			g.fail(a, "print of a %s is not implemented yet", t)
		}
		return
	}
	fld := g.c.field(t, EventHeaderSize)
	f := &PrintfFormat{Pos: c.Pos(), Args: []Field{fld}, Size: EventHeaderSize + align8(fld.Size)}
	if f.Size > stackRecord {
		g.fail(c, "print of a value of %d bytes is not implemented yet", fld.Size)
		return
	}
	index := len(g.c.obj.PrintValues)
	g.c.obj.PrintValues = append(g.c.obj.PrintValues, f)
	rec := g.stack.alloc(f.Size)
	g.store(a, rec+EventHeaderSize, t)
	g.header(rec, EventPrintValue, uint32(index))
	g.output(rec, f.Size)
}

// literalArg is call c's optional string literal argument i, def when it
// is not given; otherwise a positioned failure (msg) and false.
func (g *gen) literalArg(c *ast.Call, i int, def, msg string) (string, bool) {
	if len(c.Args) <= i {
		return def, true
	}
	lit, ok := c.Args[i].(*ast.StrLit)
	if !ok {
		g.fail(c.Args[i], "%s", msg)
		return "", false
	}
	return lit.Value, true
}

// timeCall emits time([fmt]): an 8-byte EventTime record whose index names
// the format in Object.TimeFormats.
func timeCall(g *gen, c *ast.Call) {
	format, ok := g.literalArg(c, 0, DefaultTimeFormat, "time needs a literal format")
	if !ok {
		return
	}
	g.event(EventTime, g.c.timeFormat(format))
}

// DefaultTimeFormat is time()'s format when none is given.
const DefaultTimeFormat = "%H:%M:%S\n"

// timeFormat returns the index of a strftime format in Object.TimeFormats.
func (c *compiler) timeFormat(f string) uint32 {
	for i, old := range c.obj.TimeFormats {
		if old == f {
			return uint32(i)
		}
	}
	c.obj.TimeFormats = append(c.obj.TimeFormats, f)
	return uint32(len(c.obj.TimeFormats) - 1)
}

// storeTimestamp writes strftime(fmt, nsecs): the nanoseconds (of
// bpf_ktime_get_ns's clock) at 0, the format's index in
// Object.TimeFormats at 8.
func (g *gen) storeTimestamp(e ast.Expr, off int16) {
	c, ok := e.(*ast.Call)
	if !ok || c.Name != "strftime" || len(c.Args) != 2 {
		src := g.memExprAny(e)
		if src != nil {
			g.copyBytes(off, *src, TimestampSize)
		}
		return
	}
	lit, ok := c.Args[0].(*ast.StrLit)
	if !ok {
		g.fail(c.Args[0], "strftime needs a literal format")
		return
	}
	g.store(c.Args[1], off, ast.Int(8, false))
	g.emit(storeImm(asm.RFP, off+8, int64(g.c.timeFormat(lit.Value)), asm.DWord))
}

// TimestampSize is the size of a strftime() value.
const TimestampSize = 16

// patchMapIndexes fills in the map indexes of map action records.
func (c *compiler) patchMapIndexes() {
	index := map[string]int{}
	for i, m := range c.obj.Maps {
		index[m.Name] = i
	}
	for _, p := range c.obj.Programs {
		for i := range p.Insns {
			if name, ok := p.Insns[i].Metadata.Get(mapIndexMeta{}).(string); ok {
				p.Insns[i].Constant = int64(index[name])
			}
		}
	}
}
