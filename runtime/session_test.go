package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/codegen"
)

// sessionProgram is a session's program being built the way the REPL
// builds it: each block is compiled as part of the whole program, and only
// its own programs are handed to Add.
type sessionProgram struct {
	t      *testing.T
	s      *Session
	src    string
	params []string
}

// add appends block to the program, compiles the whole and adds the new
// block's programs to the session.
func (p *sessionProgram) add(block string) (*Block, error) {
	p.t.Helper()
	start := len(p.src)
	p.src += block + "\n"
	obj := compileLive(p.t, p.src, p.params...)
	var progs []*codegen.Program
	for _, pr := range obj.Programs {
		if pr.Pos.Offset >= start {
			progs = append(progs, pr)
		}
	}
	return p.s.Add(obj, progs)
}

func (p *sessionProgram) mustAdd(block string) *Block {
	p.t.Helper()
	b, err := p.add(block)
	if err != nil {
		p.t.Fatalf("adding %q: %v", block, err)
	}
	return b
}

// lockedBuffer is a bytes.Buffer the test reads while the session's event
// handlers write it. Their writes are ordered after the test's actions by
// the kernel (a program runs, its record wakes the reader), which the race
// detector cannot see; the lock makes the order visible to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Reset()
}

func getppids(n int) {
	for range n {
		syscall.Getppid()
	}
}

// TestSessionBlocks adds blocks to a live session: maps accumulate across
// blocks, each block's printf stream is decoded against its own Object,
// detaching stops one block only, print, clear and zero act on the live
// maps, END runs at Close and the maps print as at a script's exit.
func TestSessionBlocks(t *testing.T) {
	requireKernel(t)
	var out lockedBuffer
	s := NewSession(SessionOptions{Out: NewText(&out, io.Discard)})
	p := &sessionProgram{t: t, s: s, params: []string{fmt.Sprint(os.Getpid())}}

	first := p.mustAdd(`tracepoint:syscalls:sys_enter_getppid /pid == $1/ { @calls = count(); }`)
	getppids(100)
	p.mustAdd(`BEGIN { printf("begin %d\n", 7); }`)
	second := p.mustAdd(`tracepoint:syscalls:sys_enter_getppid /pid == $1/ { @calls = count(); @by[comm] = sum(2); printf("second\n"); }`)
	p.mustAdd(`END { printf("end\n"); }`)
	getppids(3)
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "begin 7\nsecond\nsecond\nsecond\n"; got != want {
		t.Errorf("output so far %q, want %q", got, want)
	}
	if got := readInt(t, s, "@calls"); got != 106 {
		t.Errorf("@calls = %d, want 106 (100 + 2*3)", got)
	}

	if err := s.Detach(first); err != nil {
		t.Fatal(err)
	}
	if err := s.Detach(first); err == nil {
		t.Error("detaching a detached block: no error")
	}
	getppids(4)
	if got := readInt(t, s, "@calls"); got != 110 {
		t.Errorf("@calls = %d after detaching the first block, want 110", got)
	}

	sums, err := s.Maps()
	if err != nil {
		t.Fatal(err)
	}
	want := []MapSummary{
		{Name: "@by", Key: "string[16]", Value: sums[0].Value, Entries: 1},
		{Name: "@calls", Value: sums[1].Value, Entries: 1},
	}
	if diff := cmp.Diff(want, sums); diff != "" {
		t.Errorf("Maps() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"@by", "@calls"}, s.MapNames()); diff != "" {
		t.Errorf("MapNames() (-want +got):\n%s", diff)
	}

	if err := s.Zero("@calls"); err != nil {
		t.Fatal(err)
	}
	if got := readInt(t, s, "@calls"); got != 0 {
		t.Errorf("@calls = %d after zero, want 0", got)
	}
	if err := s.Clear("@by"); err != nil {
		t.Fatal(err)
	}
	if m, err := s.ReadMap("@by"); err != nil || len(m.Entries) != 0 {
		t.Errorf("@by after clear: %v, %v; want no entries", m, err)
	}
	if _, err := s.ReadMap("@nope"); err == nil {
		t.Error("reading an unknown map: no error")
	}
	if err := s.Detach(second); err != nil {
		t.Fatal(err)
	}
	getppids(5)

	out.Reset()
	code, err := s.Close()
	if err != nil || code != 0 {
		t.Fatalf("Close: %d, %v", code, err)
	}
	if got, want := out.String(), "end\n\n\n\n@calls: 0\n"; got != want {
		t.Errorf("output at Close %q, want %q", got, want)
	}
}

// readInt reads a keyless integer map of the session.
func readInt(t *testing.T, s *Session, name string) int64 {
	t.Helper()
	m, err := s.ReadMap(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Entries) != 1 {
		t.Fatalf("%s has %d entries, want 1", name, len(m.Entries))
	}
	return m.Entries[0].Value.Int64()
}

// TestSessionExit ends the session from a program's exit().
func TestSessionExit(t *testing.T) {
	requireKernel(t)
	var out lockedBuffer
	s := NewSession(SessionOptions{Out: NewText(&out, io.Discard)})
	p := &sessionProgram{t: t, s: s}
	p.mustAdd(`BEGIN { @n = 1; exit(3); }`)
	<-s.Done()
	code, err := s.Close()
	if err != nil || code != 3 {
		t.Fatalf("Close: %d, %v; want 3", code, err)
	}
	if got, want := out.String(), "\n\n@n: 1\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

// TestSessionLayoutChange refuses a block that needs a live map with
// another layout, and keeps the session going.
func TestSessionLayoutChange(t *testing.T) {
	requireKernel(t)
	s := NewSession(SessionOptions{Out: NewText(io.Discard, io.Discard)})
	defer s.Close()
	if _, err := s.Add(compileOne(t, `BEGIN { @x = 1; }`)); err != nil {
		t.Fatal(err)
	}
	_, err := s.Add(compileOne(t, `BEGIN { @x = count(); }`))
	var le *LayoutError
	if !errors.As(err, &le) || le.Map != "@x" {
		t.Fatalf("Add: %v, want a LayoutError for @x", err)
	}
	if !strings.Contains(err.Error(), "map @x would change its layout") {
		t.Errorf("message %q", err)
	}
	if got := readInt(t, s, "@x"); got != 1 {
		t.Errorf("@x = %d, want 1", got)
	}
}

// compileOne compiles src on its own: every program is the new block's.
func compileOne(t *testing.T, src string) (*codegen.Object, []*codegen.Program) {
	obj := compileLive(t, src)
	return obj, obj.Programs
}

// TestSessionWarnings sends a block's runtime errors and cat()'s errors to
// the session's Stderr, as Run does. (system() needs --unsafe, which the
// REPL's story testdata/repl/warnings.txtar has.)
func TestSessionWarnings(t *testing.T) {
	requireKernel(t)
	var out, stderr lockedBuffer
	s := NewSession(SessionOptions{Out: NewText(&out, io.Discard), Stderr: &stderr})
	p := &sessionProgram{t: t, s: s}
	p.mustAdd(`BEGIN { $z = (uint64)0; @d = 10 / $z; }`)
	p.mustAdd(`BEGIN { cat("/nonexistent/gbt"); }`)
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"test.bt:1:30-37: WARNING: " + codegen.DivideByZeroMsg,
		"ERROR: failed to open file '/nonexistent/gbt': No such file or directory\n",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q does not hold %q", stderr.String(), want)
		}
	}
}

// TestSessionNoMapsAtExit leaves the maps unprinted at Close after
// SetPrintMapsOnExit(false), as print_maps_on_exit = false does.
func TestSessionNoMapsAtExit(t *testing.T) {
	requireKernel(t)
	var out lockedBuffer
	s := NewSession(SessionOptions{Out: NewText(&out, io.Discard)})
	p := &sessionProgram{t: t, s: s}
	p.mustAdd(`BEGIN { @n = 1; }`)
	p.mustAdd(`END { printf("end\n"); }`)
	s.SetPrintMapsOnExit(false)
	if code, err := s.Close(); err != nil || code != 0 {
		t.Fatalf("Close: %d, %v", code, err)
	}
	if got, want := out.String(), "end\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

// TestSessionStacks keeps kernel stacks taken by different blocks in one
// map: the blocks share the stack map, so that each stack id in @s reads
// its frames whichever block prints the map (END in a third block, the
// session at Close, ReadMap).
func TestSessionStacks(t *testing.T) {
	requireKernel(t)
	var out lockedBuffer
	s := NewSession(SessionOptions{Out: NewText(&out, io.Discard)})
	p := &sessionProgram{t: t, s: s, params: []string{fmt.Sprint(os.Getpid())}}
	p.mustAdd(`tracepoint:syscalls:sys_enter_getppid /pid == $1/ { @s[kstack(3)] = count(); }`)
	getppids(2)
	p.mustAdd(`tracepoint:syscalls:sys_exit_getppid /pid == $1/ { @s[kstack(3)] = count(); }`)
	getppids(1)
	p.mustAdd(`END { print(@s); }`)

	m, err := s.ReadMap("@s")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Entries) != 2 {
		t.Fatalf("@s has %d entries, want 2 (the enter and the exit stack)", len(m.Entries))
	}
	var counts []int64
	for _, e := range m.Entries {
		counts = append(counts, e.Value.Int64())
	}
	slices.Sort(counts)
	if diff := cmp.Diff([]int64{1, 3}, counts); diff != "" {
		t.Errorf("counts of @s (-want +got):\n%s", diff)
	}
	if _, err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// END's print and the print at exit: each stack with its 3 frames.
	got := out.String()
	if n := strings.Count(got, "@s[\n    "); n != 4 {
		t.Errorf("%d stacks with frames printed, want 4:\n%s", n, got)
	}
	if strings.Contains(got, "@s[\n]") {
		t.Errorf("a stack printed without frames:\n%s", got)
	}
}
