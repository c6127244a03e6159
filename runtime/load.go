package runtime

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gbt-project/gbt/codegen"
)

// Loaded is a codegen.Object in the kernel: its maps created, its programs
// verified and loaded, nothing attached yet.
type Loaded struct {
	Object   *codegen.Object
	Programs map[string]*ebpf.Program // by codegen.Program.Name
	Maps     map[string]*ebpf.Map     // by codegen.Map.Name
	coll     *ebpf.Collection
}

// LoadError is a program the verifier rejected. Error() is the short
// summary that names the script position; Log is the verifier's full log,
// for -v.
type LoadError struct {
	Program string // codegen.Program.Name
	Probe   string // codegen.Program.Probe
	Report  *VerifierReport
	Err     error // the underlying error
}

func (e *LoadError) Error() string {
	if e.Report != nil {
		return fmt.Sprintf("probe %s: %s", e.Probe, e.Report.Error())
	}
	return fmt.Sprintf("probe %s: loading the program: %v", e.Probe, e.Err)
}

func (e *LoadError) Unwrap() error { return e.Err }

// Log returns the verifier's full log, one line per entry.
func (e *LoadError) Log() string {
	if e.Report == nil {
		return ""
	}
	return strings.Join(e.Report.Log, "\n")
}

// CollectionSpec turns an Object into the spec cilium/ebpf loads: maps by
// name, programs by name with their map references left symbolic.
func CollectionSpec(obj *codegen.Object) *ebpf.CollectionSpec {
	spec := &ebpf.CollectionSpec{
		Maps:     map[string]*ebpf.MapSpec{},
		Programs: map[string]*ebpf.ProgramSpec{},
	}
	for _, m := range obj.Maps {
		spec.Maps[m.Name] = &ebpf.MapSpec{
			Name:       m.Name,
			Type:       m.Type,
			KeySize:    m.KeySize,
			ValueSize:  m.ValueSize,
			MaxEntries: m.MaxEntries,
		}
	}
	for _, p := range obj.Programs {
		ps := &ebpf.ProgramSpec{
			Name:         p.Name,
			Type:         p.Type,
			Instructions: p.Insns,
			License:      p.License,
		}
		// A tracing program is loaded against its target function, which
		// the library finds in the kernel's BTF.
		switch p.Attach.Kind {
		case codegen.AttachFentry:
			ps.AttachType, ps.AttachTo = ebpf.AttachTraceFEntry, p.Attach.Target
		case codegen.AttachFexit:
			ps.AttachType, ps.AttachTo = ebpf.AttachTraceFExit, p.Attach.Target
		}
		spec.Programs[p.Name] = ps
	}
	return spec
}

// LoadOptions adjust Load.
type LoadOptions struct {
	// Maps are existing maps to use instead of creating the Object's maps
	// of the same codegen.Map.Name; names the Object lacks are ignored.
	// They are cloned, so the caller keeps its own handles. A session
	// uses them to keep its maps across the blocks it loads. A replaced
	// config map is not written again.
	Maps map[string]*ebpf.Map
}

// Load creates the Object's maps and loads its programs. A program the
// verifier rejects gives a *LoadError that points at the script. The
// config map is filled (start time, number of CPUs) before Load returns.
func Load(obj *codegen.Object) (*Loaded, error) {
	return LoadWith(obj, LoadOptions{})
}

// LoadWith is Load with options.
func LoadWith(obj *codegen.Object, opts LoadOptions) (*Loaded, error) {
	spec := CollectionSpec(obj)
	l := &Loaded{Object: obj, Programs: map[string]*ebpf.Program{}, Maps: map[string]*ebpf.Map{}}
	replace := map[string]*ebpf.Map{}
	for name, m := range opts.Maps {
		if spec.Maps[name] != nil {
			replace[name] = m
		}
	}
	if lazyHashes() {
		for _, ms := range spec.Maps {
			if ms.Type == ebpf.Hash || ms.Type == ebpf.PerCPUHash {
				ms.Flags |= unix.BPF_F_NO_PREALLOC
			}
		}
	}
	// Programs are loaded one by one, so that a verifier error names its
	// program; the maps are created once, first.
	maps := &ebpf.CollectionSpec{Maps: spec.Maps}
	coll, err := ebpf.NewCollectionWithOptions(maps, ebpf.CollectionOptions{MapReplacements: replace})
	if err != nil {
		return nil, fmt.Errorf("creating maps: %w", err)
	}
	l.coll = coll
	for name, m := range coll.Maps {
		l.Maps[name] = m
	}
	for _, p := range obj.Programs {
		ps := spec.Programs[p.Name].Copy()
		for i := range ps.Instructions {
			ref := ps.Instructions[i].Reference()
			if m, ok := l.Maps[ref]; ok && ps.Instructions[i].IsLoadFromMap() {
				if err := ps.Instructions[i].AssociateMap(m); err != nil {
					l.Close()
					return nil, fmt.Errorf("program %s: %w", p.Name, err)
				}
			}
		}
		prog, err := ebpf.NewProgram(ps)
		if err != nil {
			if missing := missingAtLoad(p); missing != nil {
				l.Close()
				return nil, missing
			}
			le := &LoadError{Program: p.Name, Probe: p.Probe, Err: err}
			if r, ok := ExplainVerifierError(err, p.Insns); ok {
				le.Report = r
			} else if errors.Is(err, unix.EFAULT) {
				// While the maps are open: the program refers to them.
				if log := faultLog(ps); log != nil {
					le.Report = explainLog(log, err, p.Insns)
				}
			}
			l.Close()
			return nil, le
		}
		l.Programs[p.Name] = prog
	}
	if replace[codegen.ConfigName] == nil {
		if err := l.initConfig(); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// missingAtLoad returns a *MissingFeatureError for a program that failed to
// load because its kind needs a feature the kernel lacks: fentry and fexit
// programs, whose load the kernel refuses without BPF trampolines. It
// returns nil otherwise.
func missingAtLoad(p *codegen.Program) error {
	if k := p.Attach.Kind; k != codegen.AttachFentry && k != codegen.AttachFexit {
		return nil
	}
	ap, err := PlanAttachPoint(p.Attach)
	if err != nil {
		return nil
	}
	return missingFeature(ap)
}

// initConfig writes the start time and the number of CPUs into the config
// map, if the Object has one.
func (l *Loaded) initConfig() error {
	m := l.Maps[codegen.ConfigName]
	if m == nil {
		return nil
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return fmt.Errorf("reading the clock: %w", err)
	}
	ncpus, err := ebpf.PossibleCPU()
	if err != nil {
		return err
	}
	val := make([]byte, m.ValueSize())
	binary.NativeEndian.PutUint64(val[codegen.ConfigStartNs:], uint64(ts.Nano()))
	binary.NativeEndian.PutUint64(val[codegen.ConfigNcpus:], uint64(ncpus))
	if err := m.Put(uint32(0), val); err != nil {
		return fmt.Errorf("writing the config map: %w", err)
	}
	return nil
}

// Close unloads every program and map.
func (l *Loaded) Close() error {
	var errs []error
	for _, p := range l.Programs {
		errs = append(errs, p.Close())
	}
	l.Programs = nil
	if l.coll != nil {
		l.coll.Close()
		l.coll = nil
	}
	l.Maps = nil
	return errors.Join(errs...)
}

// lazyHashes reports whether hash maps may leave their elements to be
// allocated as keys arrive instead of all at creation: from Linux 6.1 hash
// maps allocate with bpf_mem_alloc, which every program type may use
// (before, perf_event programs were refused maps without preallocation).
// Preallocating the 4096 per-CPU elements of a script map takes about 1ms
// at start and 0.2ms at exit (bench/README.md), a tenth of gbt's own
// start-up; the first insertion of each key costs a little more instead.
var lazyHashes = sync.OnceValue(func() bool {
	var uts unix.Utsname
	if unix.Uname(&uts) != nil {
		return false
	}
	var major, minor int
	if _, err := fmt.Sscanf(unix.ByteSliceToString(uts.Release[:]), "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major > 6 || major == 6 && minor >= 1
})
