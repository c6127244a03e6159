package runtime

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/cilium/ebpf"

	"github.com/gbt-project/gbt/codegen"
)

// A Session is a program that grows while it runs: the REPL's. The caller
// compiles the whole program (every block so far plus the new one) with
// codegen.Compile, as a script is compiled, and hands Add the Object and
// the programs of the new block; Add loads and attaches those programs
// only. The script's maps (and the config map, so that elapsed counts from
// the session's start, and the stack maps, since a kstack or ustack kept
// in a script map is an index into its stack map) are created by the
// first block that uses them and handed to every later load through
// LoadOptions.Maps, so that maps keep accumulating across blocks. Each
// block gets its own ring buffer and event handler (Run's), decoding its
// records against the Object it was compiled in, since the indices of
// printf formats and maps in a record belong to that Object; the
// handlers share one Symbolizer, which remembers the memory maps of the
// processes whose user stacks any block took.
//
// Because the whole program is compiled each time, map types stay
// consistent across blocks. A map whose layout would change (a longer
// string key, say) cannot be changed under the blocks already running:
// Add refuses the block with a *LayoutError.
type Session struct {
	opts SessionOptions
	out  *syncOutput

	mu     sync.Mutex
	maps   map[string]*ebpf.Map    // the session's handles of the shared maps, by codegen.Map.Name
	layout map[string]*codegen.Map // how each shared map was created
	latest *codegen.Object         // the last Object added: how to read the maps
	sym    *Symbolizer             // every block's, and the session's own printing's
	blocks []*Block

	exitOnce sync.Once
	exited   chan struct{}
	code     int

	noMapsAtExit bool // SetPrintMapsOnExit(false)
}

// SessionOptions configure a Session.
type SessionOptions struct {
	Out     Output    // printf and map output, shared by every block
	Stderr  io.Writer // warnings, runtime errors, cat()'s and system()'s errors, -v logs
	Verbose bool      // full verifier logs

	// Attached, when set, is called once a block's probes are attached,
	// before its BEGIN programs run, with the number of its programs: the
	// REPL announces the block there, so that the announcement comes
	// before the block's output, as Run's "Attached N probes" does.
	Attached func(programs int)
}

// Block is one block of a session as Add loaded it.
type Block struct {
	Probes   []string // the full probe names of its programs
	Detached bool     // Detach, Stop or Close removed it

	obj   *codegen.Object
	l     *Loaded
	r     *run
	links []io.Closer
	ends  []*ebpf.Program
}

// LayoutError says that a block needs a live map laid out differently.
type LayoutError struct {
	Map      string // the script name, "@x"
	Old, New *codegen.Map
}

func (e *LayoutError) Error() string {
	what := func(m *codegen.Map) string {
		return fmt.Sprintf("%s map, %d-byte key, %d-byte value", m.Type, m.KeySize, m.ValueSize)
	}
	return fmt.Sprintf("map %s would change its layout (%s, was %s) while the blocks that use it run: "+
		"use another map name, or start a new session", e.Map, what(e.New), what(e.Old))
}

// NewSession starts an empty session.
func NewSession(opts SessionOptions) *Session {
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	return &Session{
		opts:   opts,
		out:    &syncOutput{Output: opts.Out},
		maps:   map[string]*ebpf.Map{},
		layout: map[string]*codegen.Map{},
		sym:    NewSymbolizer(),
		exited: make(chan struct{}),
	}
}

// Add loads progs, the new block's programs of obj (the whole program
// compiled), attaches them and runs the block's BEGIN programs. END
// programs run at Close. On error nothing of the block stays loaded. A
// block without programs (a #define, say) loads nothing: Add returns nil.
func (s *Session) Add(obj *codegen.Object, progs []*codegen.Program) (*Block, error) {
	if len(progs) == 0 {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range obj.Maps {
		if old := s.layout[m.Name]; old != nil && !sameLayout(old, m) {
			name := m.ScriptName
			if name == "" {
				name = m.Name
			}
			return nil, &LayoutError{Map: name, Old: old, New: m}
		}
	}
	sub := *obj
	sub.Programs = progs
	l, err := LoadWith(&sub, LoadOptions{Maps: s.maps})
	if err != nil {
		var le *LoadError
		if s.opts.Verbose && errors.As(err, &le) && le.Log() != "" {
			fmt.Fprintln(s.opts.Stderr, le.Log())
		}
		return nil, err
	}
	b := &Block{obj: obj, l: l}
	for _, p := range progs {
		b.Probes = append(b.Probes, p.Probe)
	}
	if err := s.start(b, progs); err != nil {
		b.close(s.opts.Stderr)
		return nil, err
	}
	for _, m := range obj.Maps {
		if s.maps[m.Name] != nil || !shared(m) {
			continue
		}
		em, err := l.Maps[m.Name].Clone()
		if err != nil {
			b.close(s.opts.Stderr)
			return nil, err
		}
		s.maps[m.Name], s.layout[m.Name] = em, m
	}
	s.latest = obj
	s.blocks = append(s.blocks, b)
	return b, nil
}

// start starts the block's event handler, attaches its programs and runs
// its BEGIN programs, as Run does.
func (s *Session) start(b *Block, progs []*codegen.Program) error {
	r, err := startEvents(b.obj, b.l, s.out, s.sym)
	if err != nil {
		return err
	}
	b.r = r
	r.warn.Store(s.opts.Stderr)
	if r.reader != nil {
		go s.watch(b)
	}
	var begins []*ebpf.Program
	begins, b.ends, b.links, err = attachPrograms(progs, b.l, procLimit{})
	if err != nil {
		return err
	}
	if s.opts.Attached != nil {
		s.opts.Attached(len(progs))
	}
	for _, prog := range begins {
		if _, err := RunOnce(prog); err != nil {
			return fmt.Errorf("BEGIN: %w", err)
		}
	}
	return nil
}

// watch ends the session when one of b's programs calls exit(), and
// reports a failure of its event handler.
func (s *Session) watch(b *Block) {
	select {
	case <-b.r.exited:
		s.noteExit(b)
	case <-b.r.readerDone():
		if err := b.r.stopReader(); err != nil {
			fmt.Fprintf(s.opts.Stderr, "gbt: %s: %v\n", b.Probes[0], err)
		}
	}
}

// noteExit ends the session with the code b's exit() gave.
func (s *Session) noteExit(b *Block) {
	s.exitOnce.Do(func() {
		s.code = b.r.code
		close(s.exited)
	})
}

// Done is closed when a program calls exit(); the caller should then
// Close the session. After Sync it is closed already if a program called
// exit() before Sync.
func (s *Session) Done() <-chan struct{} { return s.exited }

// Detach detaches and unloads b; its END programs do not run. Its events
// already sent are printed first. The maps stay.
func (s *Session) Detach(b *Block) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.Detached {
		return errors.New("the block is not attached")
	}
	return b.close(s.opts.Stderr)
}

// Stop detaches every block.
func (s *Session) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, b := range s.blocks {
		if !b.Detached {
			errs = append(errs, b.close(s.opts.Stderr))
		}
	}
	return errors.Join(errs...)
}

// Sync returns once the events the programs sent before the call have
// been printed.
func (s *Session) Sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, b := range s.blocks {
		if !b.Detached && b.r.reader != nil {
			errs = append(errs, b.r.reader.Sync())
			select {
			case <-b.r.exited:
				s.noteExit(b)
			default:
			}
		}
	}
	return errors.Join(errs...)
}

// close detaches b and unloads it, after its pending events.
func (b *Block) close(stderr io.Writer) error {
	var errs []error
	for _, c := range b.links {
		errs = append(errs, c.Close())
	}
	b.links = nil
	if b.r != nil {
		errs = append(errs, b.r.stopReader())
		b.r.reportLost(stderr)
	}
	if b.l != nil {
		errs = append(errs, b.l.Close())
	}
	b.Detached = true
	return errors.Join(errs...)
}

// Close ends the session as a script ends: it detaches every block, runs
// the END programs of the blocks still loaded, prints their events and
// then every map (unless SetPrintMapsOnExit(false)), and unloads
// everything. It returns the code
// given to exit(), or 0.
func (s *Session) Close() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var live []*Block
	for _, b := range s.blocks {
		if !b.Detached {
			live = append(live, b)
		}
	}
	for _, b := range live {
		for _, c := range b.links {
			c.Close()
		}
		b.links = nil
	}
	for _, b := range live {
		for _, prog := range b.ends {
			if _, err := RunOnce(prog); err != nil {
				fmt.Fprintf(s.opts.Stderr, "gbt: END: %v\n", err)
			}
		}
	}
	for _, b := range live {
		if err := b.close(s.opts.Stderr); err != nil {
			fmt.Fprintf(s.opts.Stderr, "gbt: %s: %v\n", b.Probes[0], err)
		}
	}
	maps, err := s.readMaps()
	for _, m := range s.maps {
		m.Close()
	}
	s.maps = map[string]*ebpf.Map{}
	if err != nil {
		return 1, err
	}
	if !s.noMapsAtExit {
		s.out.Exit(maps)
	}
	if err := s.out.Err(); err != nil {
		return 1, err
	}
	return s.code, nil
}

// SetPrintMapsOnExit says whether Close prints the maps (the
// print_maps_on_exit setting, which a block's config block may change
// while the session runs). It does by default.
func (s *Session) SetPrintMapsOnExit(on bool) {
	s.mu.Lock()
	s.noMapsAtExit = !on
	s.mu.Unlock()
}

// shared reports whether the blocks of a session share m: the script's
// maps, the config map, and the stack maps, since a kstack or ustack
// value kept in a script map is an index into its stack map.
func shared(m *codegen.Map) bool {
	return m.Kind == codegen.MapScript || m.Kind == codegen.MapConfig || m.Kind == codegen.MapStack
}

// sameLayout reports whether a map created for a can serve b.
func sameLayout(a, b *codegen.Map) bool {
	return a.Type == b.Type && a.KeySize == b.KeySize && a.ValueSize == b.ValueSize && a.MaxEntries == b.MaxEntries
}
