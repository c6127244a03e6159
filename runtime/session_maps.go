package runtime

import (
	"fmt"
	"sync"

	"github.com/gbt-project/gbt/codegen"
)

// MapSummary describes one live map of a session, for the REPL's .maps.
type MapSummary struct {
	Name    string // the script name, "@x"
	Key     string // the key's type, "" for a map without a key
	Value   string // the value's type: "count", "int64", "string[64]", ...
	Entries int    // how many keys it holds now
}

// MapNames returns the script names of the session's maps, sorted.
func (s *Session) MapNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, m := range s.scriptMaps() {
		names = append(names, m.ScriptName)
	}
	return names
}

// Maps summarizes every map the session has created, in name order.
func (s *Session) Maps() ([]MapSummary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []MapSummary
	for _, m := range s.scriptMaps() {
		keys, err := mapKeys(s.maps[m.Name], int(m.KeySize))
		if err != nil {
			return nil, fmt.Errorf("reading the keys of %s: %w", m.ScriptName, err)
		}
		sum := MapSummary{Name: m.ScriptName, Value: m.ValueType.String(), Entries: scriptKeys(m, keys)}
		if m.KeyType != nil {
			sum.Key = m.KeyType.String()
		}
		out = append(out, sum)
	}
	return out, nil
}

// ReadMap reads the live map named name ("@x") as print(@x) would show it.
func (s *Session) ReadMap(name string) (*Map, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.scriptMap(name)
	if err != nil {
		return nil, err
	}
	return s.decoder().readMap(m, s.maps[m.Name])
}

// Clear deletes every key of the map named name, as clear(@x) does.
func (s *Session) Clear(name string) error { return s.reset(name, true) }

// Zero sets every value of the map named name to zero, keeping its keys,
// as zero(@x) does.
func (s *Session) Zero(name string) error { return s.reset(name, false) }

func (s *Session) reset(name string, clear bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.scriptMap(name)
	if err != nil {
		return err
	}
	return resetKernelMap(m, s.maps[m.Name], clear)
}

// readMaps reads every script map, empty ones too, as Run does at exit.
// s.mu is held.
func (s *Session) readMaps() ([]*Map, error) {
	if s.latest == nil {
		return nil, nil
	}
	return readScriptMaps(s.decoder(), s.latest, s.maps)
}

// decoder reads the session's maps, with their stacks from the shared
// stack maps. s.mu is held and s.latest is set.
func (s *Session) decoder() *decoder {
	d := newDecoder(s.latest).withMaps(s.maps)
	d.stacks.sym = s.sym
	return d
}

// scriptMaps returns the script maps that exist, as the latest Object
// describes them, in name order. s.mu is held.
func (s *Session) scriptMaps() []*codegen.Map {
	if s.latest == nil {
		return nil
	}
	var out []*codegen.Map
	for _, m := range s.latest.Maps {
		if m.Kind == codegen.MapScript && s.maps[m.Name] != nil {
			out = append(out, m)
		}
	}
	return out
}

// scriptMap finds a live map by script name. s.mu is held.
func (s *Session) scriptMap(name string) (*codegen.Map, error) {
	for _, m := range s.scriptMaps() {
		if m.ScriptName == name {
			return m, nil
		}
	}
	return nil, fmt.Errorf("no map %s in this session", name)
}

// syncOutput serializes an Output shared by the event handlers of several
// blocks and the session's own printing.
type syncOutput struct {
	mu sync.Mutex
	Output
}

func (o *syncOutput) Printf(s string) { o.mu.Lock(); o.Output.Printf(s); o.mu.Unlock() }
func (o *syncOutput) Time(s string)   { o.mu.Lock(); o.Output.Time(s); o.mu.Unlock() }
func (o *syncOutput) Cat(s string)    { o.mu.Lock(); o.Output.Cat(s); o.mu.Unlock() }
func (o *syncOutput) Syscall(s string) {
	o.mu.Lock()
	o.Output.Syscall(s)
	o.mu.Unlock()
}
func (o *syncOutput) Join(s string)  { o.mu.Lock(); o.Output.Join(s); o.mu.Unlock() }
func (o *syncOutput) Value(v Value)  { o.mu.Lock(); o.Output.Value(v); o.mu.Unlock() }
func (o *syncOutput) Exit(ms []*Map) { o.mu.Lock(); o.Output.Exit(ms); o.mu.Unlock() }
func (o *syncOutput) Map(m *Map, opts PrintOpts) {
	o.mu.Lock()
	o.Output.Map(m, opts)
	o.mu.Unlock()
}
func (o *syncOutput) AttachedProbes(n int) {
	o.mu.Lock()
	o.Output.AttachedProbes(n)
	o.mu.Unlock()
}
func (o *syncOutput) LostEvents(n uint64) {
	o.mu.Lock()
	o.Output.LostEvents(n)
	o.mu.Unlock()
}
func (o *syncOutput) Err() error { o.mu.Lock(); defer o.mu.Unlock(); return o.Output.Err() }
