package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/runtime/usdttest"
)

// The tests of user-space tracing (issue 5): uprobes, uretprobes and usdt
// probes on testdata/usdt, a C program with known functions and SDT
// probes; stacks and symbols; the -c and -p life cycles. They run gbt in
// this process (run) against targets they start themselves, and need root
// and gcc with sys/sdt.h; without them they skip, except under
// GBT_KERNEL_TESTS=1, where that is a failure.

// userPrerequisites skips (or fails) the test when it cannot run here.
func userPrerequisites(t *testing.T) {
	t.Helper()
	if !kernelTests() {
		t.Skip("tracing user space needs root")
	}
}

// usdtProgram builds testdata/usdt (usdttest.Build) for a test that needs
// root too.
func usdtProgram(t *testing.T) string {
	t.Helper()
	userPrerequisites(t)
	return usdttest.Build(t)
}

// gbtResult is what one in-process run of gbt printed.
type gbtResult struct {
	stdout, stderr string
	code           int
}

// runGbt runs gbt with args in this process.
func runGbt(t *testing.T, args ...string) gbtResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(""), &stdout, &stderr)
	return gbtResult{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// background is a gbt run in a goroutine, for -p.
type background struct {
	stdout   bytes.Buffer
	stderr   *attachWatch
	code     int
	finished chan struct{}
}

// startGbt starts gbt with args in a goroutine and waits (at most 10 s)
// until it has attached its probes.
func startGbt(t *testing.T, args ...string) *background {
	t.Helper()
	b := &background{stderr: newAttachWatch(), finished: make(chan struct{})}
	go func() {
		defer close(b.finished)
		b.code = run(args, strings.NewReader(""), &b.stdout, b.stderr)
	}()
	select {
	case <-b.stderr.attached:
	case <-b.finished:
		t.Fatalf("gbt ended before attaching: %s", b.stderr)
	case <-time.After(10 * time.Second):
		t.Fatalf("gbt did not attach in 10s: %s", b.stderr)
	}
	return b
}

// wait waits (at most 10 s) until gbt has ended and returns its result.
func (b *background) wait(t *testing.T) gbtResult {
	t.Helper()
	select {
	case <-b.finished:
	case <-time.After(10 * time.Second):
		t.Fatalf("gbt did not end in 10s after its target")
	}
	return gbtResult{stdout: b.stdout.String(), stderr: b.stderr.String(), code: b.code}
}

// attachWatch is a standard error that tells when gbt has attached.
type attachWatch struct {
	mu       sync.Mutex
	buf      bytes.Buffer
	once     sync.Once
	attached chan struct{}
}

func newAttachWatch() *attachWatch { return &attachWatch{attached: make(chan struct{})} }

func (w *attachWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), "Attached ") {
		w.once.Do(func() { close(w.attached) })
	}
	return len(p), nil
}

func (w *attachWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// Exact counts, arguments and return values through uprobes, uretprobes
// and a wildcard, with -c: the maps print once the command has exited.
// Uprobes see every process running the binary (as in bpftrace; other
// tests run it too), so the script keeps the command's calls.
func TestUprobeCounts(t *testing.T) {
	exe := usdtProgram(t)
	script := strings.ReplaceAll(`
uprobe:EXE:gbt_add /pid == cpid/ { @add[arg0, arg1] = count(); }
uretprobe:EXE:gbt_add /pid == cpid/ { @ret = sum(retval); }
uretprobe:EXE:_ZN3gbt3cxxEi /pid == cpid/ { @cxx[retval] = count(); }
uprobe:EXE:gbt_* /pid == cpid/ { @calls[probe] = count(); }
uprobe:EXE:gbt_loop /pid == cpid/ { @n = arg0; }
`, "EXE", exe)
	got := runGbt(t, "-e", script, "-c", exe+" loop 5")
	want := fmt.Sprintf(`

@add[0, 1]: 1
@add[1, 1]: 1
@add[2, 1]: 1
@add[3, 1]: 1
@add[4, 1]: 1
@calls[uprobe:%[1]s:gbt_loop]: 1
@calls[uprobe:%[1]s:gbt_add]: 5
@calls[uprobe:%[1]s:gbt_regs]: 5
@calls[uprobe:%[1]s:gbt_sem_round]: 5
@cxx[0]: 1
@cxx[2]: 1
@cxx[4]: 1
@cxx[6]: 1
@cxx[8]: 1
@n: 5
@ret: 15
`, exe)
	if got.code != 0 || got.stdout != want {
		t.Errorf("exit %d, output (-want +got):\n%s\nstderr:\n%s", got.code, cmp.Diff(want, got.stdout), got.stderr)
	}
}

// USDT arguments of every location kind (registers, constants, a global,
// stack memory), a probe named without its provider, and a semaphore,
// which is set only while a probe on it is attached.
func TestUSDTArguments(t *testing.T) {
	exe := usdtProgram(t)
	script := strings.ReplaceAll(`
usdt:EXE:gbt:regs { printf("regs %d %d %d\n", arg0, arg1, arg2); }
usdt:EXE:gbt:consts { printf("consts %d %d\n", arg0, arg1); }
usdt:EXE:gbt:global { printf("global %d\n", arg0); }
usdt:EXE:gbt:stack { printf("stack %d %d\n", arg0, arg1); }
usdt:EXE:counted { printf("counted %d\n", arg0); }
usdt:EXE:gbt:* { @[probe] = count(); }
usdt:EXE:gbt:consts { @c[arg1] = count(); }
`, "EXE", exe)
	got := runGbt(t, "-e", script, "-c", exe+" loop 3")
	var want strings.Builder
	for i := range 3 {
		fmt.Fprintf(&want, "regs %d %d %d\nconsts 5 -7\nglobal %d\nstack %d %d\ncounted %d\n", i, -1000*i, i, 100+i, 3*i, -i, i)
	}
	want.WriteString("\n\n")
	for _, p := range []string{"consts", "counted", "global", "regs", "stack"} {
		fmt.Fprintf(&want, "@[usdt:%s:gbt:%s]: 3\n", exe, p)
	}
	want.WriteString("@c[-7]: 3\n") // signed, as bpftrace prints USDT arguments
	if got.code != 0 || got.stdout != want.String() {
		t.Errorf("exit %d, output (-want +got):\n%s\nstderr:\n%s", got.code, cmp.Diff(want.String(), got.stdout), got.stderr)
	}
}

// -p: probes limited to a running process, user symbols and stacks
// resolved through its maps, and gbt ends, printing its maps, when the
// process exits. (At a function's entry the frame pointer is still the
// caller's: the stack goes from gbt_add to gbt_loop's caller, main.)
func TestPidLifeCycle(t *testing.T) {
	exe := usdtProgram(t)
	target := usdttest.Wait(t, exe)
	other := usdttest.Wait(t, exe) // not traced: its rounds must not count
	script := strings.ReplaceAll(`
uprobe:EXE:gbt_add { printf("%s %s\n", func, usym(reg("ip"))); @[ustack(2)] = count(); }
uprobe:EXE:_ZN3gbt3cxxEi { @cxx[func] = count(); }
uretprobe:EXE:gbt_add { @ret[func] = count(); }
usdt:EXE:gbt:regs { @regs = count(); }
`, "EXE", exe)
	g := startGbt(t, "-p", fmt.Sprint(target.Pid), "-e", script)
	target.Round(t)
	other.Round(t)
	target.Round(t)
	target.Exit(t)
	got := g.wait(t)
	want := `gbt_add gbt_add
gbt_add gbt_add


@\[
    gbt_add\+0
    main\+\d+
\]: 2
@cxx\[gbt::cxx\(int\)\]: 2
@regs: 2
@ret\[gbt_add\]: 2
`
	if got.code != 0 || !regexp.MustCompile("^"+want+"$").MatchString(got.stdout) {
		t.Errorf("exit %d, output:\n%s\nwant it to match:\n%s\nstderr:\n%s", got.code, got.stdout, want, got.stderr)
	}
}

// -p with a process that does not exist is a clear error, and so is -p
// with -c.
func TestPidMissing(t *testing.T) {
	userPrerequisites(t)
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid // reaped: no such process (unless reused at once)
	got := runGbt(t, "-p", fmt.Sprint(pid), "-e", "uprobe:/bin/sh:main { @ = count(); }")
	want := fmt.Sprintf("gbt: process %d does not exist\n", pid)
	if got.code != 1 || got.stderr != want || got.stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and stderr %q", got.code, got.stdout, got.stderr, want)
	}
	got = runGbt(t, "-p", fmt.Sprint(os.Getpid()), "-c", "true", "-e", "uprobe:/bin/sh:main { @ = count(); }")
	want = "gbt: -p and -c cannot be used together\n"
	if got.code != 1 || got.stderr != want {
		t.Errorf("-p with -c: exit %d, stderr %q; want exit 1 and %q", got.code, got.stderr, want)
	}
}

// Kernel stacks of a syscall tracepoint, in bpftrace's and perf's modes,
// and with a frame limit.
func TestKernelStacks(t *testing.T) {
	userPrerequisites(t)
	wl := workload(t)
	script := `tracepoint:syscalls:sys_enter_getppid /pid == cpid && comm == "workload"/ {
	@[kstack] = count(); @perf[kstack(perf, 4)] = count(); @two[kstack(2)] = count();
	@sym = ksym(kaddr("do_syscall_64"));
}`
	got := runGbt(t, "-e", script, "-c", wl+" getppid 3")
	for _, re := range []string{
		`(?m)^@\[\n(    \w+\+\d+\n)*    do_syscall_64\+\d+\n(    \w+\+\d+\n)*\]: 3$`,
		`(?m)^@perf\[\n(\t[0-9a-f]+ \w+\+\d+\n){4}\]: 3$`,
		`(?m)^@two\[\n(    \w+\+\d+\n){2}\]: 3$`,
		`(?m)^@sym: do_syscall_64$`,
	} {
		if !regexp.MustCompile(re).MatchString(got.stdout) {
			t.Errorf("output does not match %s:\n%s\nstderr:\n%s", re, got.stdout, got.stderr)
		}
	}
}

// profile:hz:99 { @[ustack, comm] = count(); } on a running program names
// its functions, although the -c command has exited when the maps print.
func TestProfileUserStacks(t *testing.T) {
	exe := usdtProgram(t)
	got := runGbt(t, "-e", `profile:hz:99 /pid == cpid/ { @[ustack, comm] = count(); }`, "-c", exe+" loop 200000000")
	re := regexp.MustCompile(`(?m)^@\[\n(    \S+\n)*    gbt_loop\+\d+\n    main\+\d+\n(    \S+\n)*, usdt\]: \d+$`)
	if got.code != 0 || !re.MatchString(got.stdout) {
		t.Errorf("exit %d, output does not match %s:\n%s\nstderr:\n%s", got.code, re, got.stdout, got.stderr)
	}
}

// A library named as bpftrace names it: uprobe:libc:exit finds the C
// library through the dynamic loader's cache, and probe names its file.
func TestLibraryUprobe(t *testing.T) {
	userPrerequisites(t)
	got := runGbt(t, "-e", `uprobe:libc:exit /pid == cpid/ { @[probe] = count(); }`, "-c", "true")
	re := regexp.MustCompile(`^\n\n@\[uprobe:/\S*/libc\.so\.6:exit\]: 1\n$`)
	if got.code != 0 || !re.MatchString(got.stdout) {
		t.Errorf("exit %d, output %q does not match %s\nstderr:\n%s", got.code, got.stdout, re, got.stderr)
	}
}

// args in a uprobe: the function's parameters, found and typed by the
// binary's DWARF (testdata/usdt is built with -g): an int, a long that is
// negative and an unsigned char that wraps at 256, each at its width.
func TestUprobeArgs(t *testing.T) {
	exe := usdtProgram(t)
	script := strings.ReplaceAll(`uprobe:EXE:gbt_regs /pid == cpid/ { printf("%d %d %d\n", args.i, args->l, args.c); }
uprobe:EXE:gbt_loop /pid == cpid/ { @n = args.n; }`, "EXE", exe)
	got := runGbt(t, "-e", script, "-c", exe+" loop 258")
	var want strings.Builder
	for i := range 258 {
		fmt.Fprintf(&want, "%d %d %d\n", i, -1000*i, i%256)
	}
	want.WriteString("\n\n@n: 258\n")
	if got.code != 0 || got.stdout != want.String() {
		t.Errorf("exit %d, output (-want +got):\n%s\nstderr:\n%s", got.code, cmp.Diff(want.String(), got.stdout), got.stderr)
	}
}

// args that cannot be read are refused where the script names them: a
// parameter the function does not have, and any parameter of a binary
// without debug information (a copy of the test program without it).
func TestUprobeArgsErrors(t *testing.T) {
	exe := usdttest.Build(t)
	tests := []struct{ binary, want string }{
		{exe, fmt.Sprintf(`stdin:1:%d-%d: ERROR: function gbt_regs of %s has no parameter zz (its parameters are i, l, c)`,
			len(exe)+35, len(exe)+42, exe)},
	}
	if objcopy, err := exec.LookPath("objcopy"); err == nil {
		stripped := t.TempDir() + "/usdt"
		if out, err := exec.Command(objcopy, "--strip-debug", exe, stripped).CombinedOutput(); err != nil {
			t.Fatalf("objcopy: %v\n%s", err, out)
		}
		tests = append(tests, struct{ binary, want string }{stripped, fmt.Sprintf(
			`stdin:1:%d-%d: ERROR: cannot read args of gbt_regs: %s has no debug information (DWARF)`,
			len(stripped)+35, len(stripped)+42, stripped)})
	}
	for _, tc := range tests {
		got := runGbt(t, "-e", "uprobe:"+tc.binary+`:gbt_regs { printf("%d\n", args.zz); }`)
		if got.code != 1 || !strings.HasPrefix(got.stderr, tc.want+"\n") {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant exit 1 and first:\n%s", tc.binary, got.code, got.stderr, tc.want)
		}
	}
}
