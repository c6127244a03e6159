package codegen

import (
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// MaxMapEntries is the number of keys a script map holds by default,
// as in bpftrace (Options.MaxMapKeys overrides it).
const MaxMapEntries = 4096

// scriptMap returns the map of a script map name, creating its layout on
// first use. Types come from the checker's map table; members of
// tracepoint records (KKernel) take the concrete type of their first use.
func (g *gen) scriptMap(m *ast.MapExpr, value *ast.Type) *Map {
	c := g.c
	if mp := c.maps[m.Name]; mp != nil {
		return mp
	}
	info := c.mapInfo[m.Name]
	if info == nil {
		g.fail(m, "map %s has no type (was the program checked?)", m.Name)
		return nil
	}
	keyType := info.Key
	if keyType != nil && len(m.Keys) > 0 {
		keyType = g.keyType(m)
	}
	valType := info.Value
	if hasKernel(valType) && value != nil {
		valType = value
	}
	if keyType != nil && !storable(keyType) {
		g.fail(m, "map keys of type %s are not implemented yet", keyType)
		return nil
	}
	mp := &Map{
		Name:       "AT_" + strings.TrimPrefix(m.Name, "@"),
		Kind:       MapScript,
		Type:       ebpf.Hash,
		KeySize:    8,
		MaxEntries: uint32(c.opts.MaxMapKeys),
		ScriptName: m.Name,
		KeyType:    keyType,
		ValueType:  valType,
	}
	if keyType != nil {
		mp.Key = c.layoutOf(keyType)
		mp.KeySize = uint32(mp.Key.Size)
	}
	switch {
	case valType != nil && valType.Kind == ast.KAgg:
		mp.Agg = valType.Agg
		mp.Type = ebpf.PerCPUHash
		var size int
		switch valType.Agg {
		case ast.AggCount, ast.AggSum:
			size = 8
		case ast.AggMin, ast.AggMax, ast.AggAvg, ast.AggStats:
			size = 16
		case ast.AggHist, ast.AggLhist:
			mp.Hist = c.hists[m.Name]
			if mp.Hist == nil {
				g.fail(m, "map %s: no hist() or lhist() call gives its buckets", m.Name)
				return nil
			}
			// One counter per (key, bucket): the bucket index is the
			// last 8 bytes of the key, the whole key of a keyless map.
			size = 8
			if keyType != nil {
				mp.KeySize += 8
			}
		default:
			g.fail(m, "aggregation %s is not implemented yet", valType.Agg)
			return nil
		}
		mp.Value = &Layout{Size: size, Fields: []Field{{Offset: 0, Size: size, Type: valType}}}
	case valType != nil && storable(valType):
		mp.Value = c.layoutOf(valType)
	default:
		// A value whose type could not be made concrete was reported
		// where it failed.
		if !g.failed {
			g.fail(m, "map values of type %s are not implemented yet", valType)
		}
		return nil
	}
	mp.ValueSize = uint32(mp.Value.Size)
	c.maps[m.Name] = mp
	return mp
}

// keyType is the key type of m: the checker's, with record members typed.
func (g *gen) keyType(m *ast.MapExpr) *ast.Type {
	if len(m.Keys) == 1 {
		return g.concrete(g.c.mapInfo[m.Name].Key, m.Keys[0])
	}
	info := g.c.mapInfo[m.Name].Key
	elems := make([]*ast.Type, len(m.Keys))
	for i, k := range m.Keys {
		var t *ast.Type
		if info != nil && info.Kind == ast.KTuple && i < len(info.Elems) {
			t = info.Elems[i]
		}
		elems[i] = g.concrete(t, k)
	}
	return ast.TupleOf(elems...)
}

// concrete replaces a KKernel (or missing) type by e's concrete type.
func (g *gen) concrete(t *ast.Type, e ast.Expr) *ast.Type {
	if t == nil || hasKernel(t) {
		return g.typeOf(e)
	}
	return t
}

// finishMaps adds the maps to the Object: script maps by name, then the
// internal ones.
func (c *compiler) finishMaps() {
	names := make([]string, 0, len(c.maps))
	for n := range c.maps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c.obj.Maps = append(c.obj.Maps, c.maps[n])
	}
	if c.ringbuf {
		c.obj.Maps = append(c.obj.Maps, &Map{Name: RingbufName, Kind: MapRingbuf, Type: ebpf.RingBuf, MaxEntries: c.ringbufSize()},
			&Map{Name: DropsName, Kind: MapDrops, Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	}
	if c.scratch > 0 {
		c.obj.Maps = append(c.obj.Maps, &Map{Name: ScratchName, Kind: MapScratch, Type: ebpf.PerCPUArray,
			KeySize: 4, ValueSize: uint32(c.scratch), MaxEntries: 1})
	}
	c.obj.Maps = append(c.obj.Maps, c.stackMaps()...)
	if fm := c.frameMap(); fm != nil {
		c.obj.Maps = append(c.obj.Maps, fm)
	}
	if c.config {
		c.obj.Maps = append(c.obj.Maps, &Map{Name: ConfigName, Kind: MapConfig, Type: ebpf.Array,
			KeySize: 4, ValueSize: uint32(SymbolSlot(len(c.obj.Symbols))), MaxEntries: 1})
	}
}

// mapKey builds m's key in a new stack buffer and returns its offset. The
// key of a hist() map ends in its bucket index, which the caller stores
// (histBucketOff).
func (g *gen) mapKey(m *ast.MapExpr, mp *Map) int16 {
	off := g.stack.alloc(int(mp.KeySize))
	switch {
	case mp.KeyType == nil:
		if mp.Hist == nil {
			g.emit(storeImm(asm.RFP, off, 0, asm.DWord))
		}
	case len(m.Keys) == 1:
		g.store(m.Keys[0], off, mp.KeyType)
	default:
		l := g.c.field(mp.KeyType, 0)
		g.zeroFill(off, l.Size)
		for i, k := range m.Keys {
			g.store(k, off+int16(l.Elems[i].Offset), mp.KeyType.Elems[i])
		}
	}
	return off
}

// lookup emits bpf_map_lookup_elem(map, key); the result is in R0.
func (g *gen) lookup(mp *Map, key int16) {
	g.emit(asm.LoadMapPtr(asm.R1, 0).WithReference(mp.Name),
		asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(key)),
		asm.FnMapLookupElem.Call())
}

// update emits bpf_map_update_elem(map, key, value, BPF_ANY).
func (g *gen) update(mp *Map, key, val int16) {
	g.emit(asm.LoadMapPtr(asm.R1, 0).WithReference(mp.Name),
		asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(key)),
		asm.Mov.Reg(asm.R3, asm.RFP), asm.Add.Imm(asm.R3, int32(val)),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnMapUpdateElem.Call())
}

// mapReadInt reads an integer map value; a missing key reads as 0.
func (g *gen) mapReadInt(m *ast.MapExpr) *tmp {
	mp := g.scriptMap(m, nil)
	if mp == nil {
		return g.zero()
	}
	if mp.Agg != ast.AggNone {
		g.fail(m, "reading the value of an aggregation is not implemented yet")
		return g.zero()
	}
	key := g.mapKey(m, mp)
	g.lookup(mp, key)
	t := g.regs.alloc()
	done := g.newLabel("miss")
	g.emit(asm.Mov.Imm(t.reg, 0), asm.JEq.Imm(asm.R0, 0, done), asm.LoadMem(t.reg, asm.R0, 0, asm.DWord))
	g.label(done)
	return t
}

// mapReadMem copies a string or tuple map value into a new buffer; a
// missing key reads as zeroes.
func (g *gen) mapReadMem(m *ast.MapExpr) int16 {
	mp := g.scriptMap(m, nil)
	if mp == nil {
		return g.stack.alloc(8)
	}
	key := g.mapKey(m, mp)
	size := mp.Value.Size
	off := g.stack.alloc(size)
	g.zeroFill(off, size)
	g.lookup(mp, key)
	done := g.newLabel("miss")
	g.emit(asm.JEq.Imm(asm.R0, 0, done))
	for i := 0; i < size; i += 8 {
		g.emit(asm.LoadMem(asm.R1, asm.R0, int16(i), asm.DWord), asm.StoreMem(asm.RFP, off+int16(i), asm.R1, asm.DWord))
	}
	g.label(done)
	return off
}

// mapAssign emits @m[k] = value for plain values.
func (g *gen) mapAssign(m *ast.MapExpr, value ast.Expr) {
	mp := g.scriptMap(m, g.typeOf(value))
	if mp == nil {
		return
	}
	if mp.Agg != ast.AggNone {
		g.fail(m, "assigning a value to aggregation map %s is not implemented yet", m.Name)
		return
	}
	val := g.stack.alloc(mp.Value.Size)
	g.store(value, val, mp.ValueType)
	key := g.mapKey(m, mp)
	g.update(mp, key, val)
}

// mapStoreInt writes an integer temp as m's value (v is freed).
func (g *gen) mapStoreInt(mp *Map, key int16, v *tmp) {
	val := g.stack.alloc(8)
	g.storeTmp(val, v)
	g.update(mp, key, val)
}

// deleteElem emits delete(@m[k]) and delete(@m, k).
func deleteElem(g *gen, c *ast.Call) {
	m, ok := c.Args[0].(*ast.MapExpr)
	if !ok {
		g.fail(c, "delete expects a map element")
		return
	}
	if len(c.Args) == 2 {
		m = &ast.MapExpr{Span: m.Span, Name: m.Name, Keys: []ast.Expr{c.Args[1]}}
		if tk, ok := c.Args[1].(*ast.Tuple); ok {
			m.Keys = tk.Elems
		}
	}
	mp := g.scriptMap(m, nil)
	if mp == nil {
		return
	}
	key := g.mapKey(m, mp)
	del := func() {
		g.emit(asm.LoadMapPtr(asm.R1, 0).WithReference(mp.Name),
			asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(key)),
			asm.FnMapDeleteElem.Call())
	}
	if mp.Hist != nil {
		// A histogram is one key per bucket.
		g.eachBucket(mp, key, del)
		return
	}
	del()
}
