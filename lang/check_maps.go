package lang

import (
	"sort"
	"strings"

	"github.com/gbt-project/gbt/lang/ast"
)

// Maps are global: every use of a map must agree on its key and value
// types. Integers of different widths merge into the wider one (keeping the
// first use's signedness), strings into the longest, tuples element by
// element; anything else must match exactly.

// mapName resolves a macro's map parameter to the caller's map.
func (c *checker) mapName(m *ast.MapExpr) string {
	if alias, ok := c.mapAlias[m.Name]; ok {
		return alias
	}
	return m.Name
}

// lookupMap returns what is known about a map, from this pass or the last.
func (c *checker) lookupMap(name string) *ast.MapInfo {
	if mi := c.maps[name]; mi != nil {
		return mi
	}
	return c.prev[name]
}

// keyType types the keys of a map expression: nil without keys, the key's
// type for one key, a tuple for several.
func (c *checker) keyType(m *ast.MapExpr) *ast.Type {
	if m.Keys == nil {
		return nil
	}
	types := make([]*ast.Type, len(m.Keys))
	for i, k := range m.Keys {
		t := c.expr(k)
		if !storable(t) {
			c.errorf(k, "invalid map key type: %s", t)
			t = invalid
		}
		types[i] = t
	}
	if len(types) == 1 {
		return types[0]
	}
	return ast.TupleOf(types...)
}

// useKey records a use of map m with key type key, checking it against the
// map's earlier uses.
func (c *checker) useKey(m *ast.MapExpr, name string, key *ast.Type) *ast.MapInfo {
	mi := c.maps[name]
	if mi == nil {
		mi = &ast.MapInfo{Name: name, Key: key, Pos: m.Pos()}
		if p := c.prev[name]; p != nil {
			mi.Value = p.Value
			if merged, ok := mergeTypes(p.Key, key); ok {
				mi.Key = merged
			}
		}
		c.maps[name] = mi
		return mi
	}
	merged, ok := mergeTypes(mi.Key, key)
	if !ok {
		c.errorf(m, "Argument mismatch for %s: trying to access with arguments: %s when map expects arguments: %s",
			name, keyList(key), keyList(mi.Key))
		return mi
	}
	mi.Key = merged
	return mi
}

// assignMap records that map m (already keyed) is given a value of type t.
func (c *checker) assignMap(m *ast.MapExpr, t *ast.Type) {
	name := c.mapName(m)
	mi := c.useKey(m, name, c.keyType(m))
	if mi.Value == nil || mi.Value == invalid {
		mi.Value = t
		m.SetType(t)
		return
	}
	merged, ok := mergeTypes(mi.Value, t)
	if !ok {
		c.errorf(m, "Type mismatch for %s: trying to assign value of type '%s' when map already contains a value of type '%s'",
			name, t, mi.Value)
		m.SetType(mi.Value)
		return
	}
	mi.Value = merged
	m.SetType(merged)
}

// readMap types a read of map m (an element, or the value of a keyless
// map).
func (c *checker) readMap(m *ast.MapExpr) *ast.Type {
	name := c.mapName(m)
	key := c.keyType(m)
	if c.lookupMap(name) == nil || c.lookupMap(name).Value == nil {
		c.errorf(m, "Undefined map: %s", name)
		return invalid
	}
	mi := c.useKey(m, name, key)
	if mi.Value == nil {
		return invalid
	}
	return mi.Value
}

// wholeMap types a map passed as a whole (print(@m), clear(@m)).
func (c *checker) wholeMap(m *ast.MapExpr) *ast.Type {
	name := c.mapName(m)
	mi := c.lookupMap(name)
	if mi == nil || mi.Value == nil {
		c.errorf(m, "Undefined map: %s", name)
		return invalid
	}
	if c.maps[name] == nil {
		c.maps[name] = &ast.MapInfo{Name: name, Key: mi.Key, Value: mi.Value, Pos: m.Pos()}
	}
	return &ast.Type{Kind: ast.KMap, Name: name}
}

func keyList(t *ast.Type) string {
	if t == nil {
		return "[]"
	}
	if t.Kind == ast.KTuple {
		parts := make([]string, len(t.Elems))
		for i, e := range t.Elems {
			parts[i] = e.String()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return "[" + t.String() + "]"
}

// storable reports whether values of t can live in a map or a variable.
func storable(t *ast.Type) bool {
	return t != nil && t.Kind != ast.KNone && t.Kind != ast.KMap && t.Kind != ast.KType
}

// mergeTypes combines the types of two uses of one map key, map value or
// variable; ok is false when they cannot be one type.
func mergeTypes(a, b *ast.Type) (*ast.Type, bool) {
	switch {
	case a == nil || b == nil:
		return a, a == nil && b == nil
	case a == invalid || a.Kind == ast.KKernel && b.Kind != ast.KKernel:
		return b, true
	case b == invalid || b.Kind == ast.KKernel:
		return a, true
	case a.IsInteger() && b.IsInteger():
		if a.Kind == ast.KBool && b.Kind == ast.KBool {
			return a, true
		}
		size := max(a.Size, b.Size)
		if a.Kind == ast.KBool {
			return ast.Int(size, b.Signed), true
		}
		return ast.Int(size, a.Signed), true
	case a.Kind != b.Kind:
		return nil, false
	case a.Kind == ast.KString || a.Kind == ast.KBuffer:
		return &ast.Type{Kind: a.Kind, Size: max(a.Size, b.Size)}, true
	case a.Kind == ast.KTuple:
		if len(a.Elems) != len(b.Elems) {
			return nil, false
		}
		elems := make([]*ast.Type, len(a.Elems))
		for i := range a.Elems {
			e, ok := mergeTypes(a.Elems[i], b.Elems[i])
			if !ok {
				return nil, false
			}
			elems[i] = e
		}
		return ast.TupleOf(elems...), true
	case a.Kind == ast.KAgg:
		if a.Agg != b.Agg {
			return nil, false
		}
		return ast.Agg(a.Agg, a.Signed || b.Signed), true
	}
	return a, a.Equal(b)
}

// sameMaps reports whether two passes learned the same map types.
func sameMaps(a, b map[string]*ast.MapInfo) bool {
	if len(a) != len(b) {
		return false
	}
	for name, x := range a {
		y := b[name]
		if y == nil || !sameType(x.Key, y.Key) || !sameType(x.Value, y.Value) {
			return false
		}
	}
	return true
}

// sameType is Equal that also compares string sizes.
func sameType(a, b *ast.Type) bool {
	if !a.Equal(b) || a == nil {
		return a.Equal(b)
	}
	if a.Kind == ast.KString || a.Kind == ast.KBuffer {
		return a.Size == b.Size
	}
	for i := range a.Elems {
		if !sameType(a.Elems[i], b.Elems[i]) {
			return false
		}
	}
	return true
}

func (c *checker) sortedMaps() []*ast.MapInfo {
	out := make([]*ast.MapInfo, 0, len(c.maps))
	for _, mi := range c.maps {
		out = append(out, mi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
