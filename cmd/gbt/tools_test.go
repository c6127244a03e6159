package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/lang"
	"github.com/gbt-project/gbt/runtime"
)

// TestToolsLoad checks every canned tool: it parses and checks everywhere,
// and as root (or under GBT_KERNEL_TESTS=1) it compiles against the running
// kernel and every program passes the verifier.
func TestToolsLoad(t *testing.T) {
	names := toolNames()
	if len(names) == 0 {
		t.Fatal("no canned tools embedded")
	}
	kernel := os.Geteuid() == 0 || os.Getenv("GBT_KERNEL_TESTS") == "1"
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			src, ok := toolSource(name)
			if !ok {
				t.Fatalf("tool %s not found by name", name)
			}
			if !strings.HasPrefix(string(src), "#!") || toolSummary(src) == "" {
				t.Errorf("tool %s needs a #! line and a '// %s: summary' header", name, name)
			}
			prog, err := lang.Parse(name+".bt", src)
			if err == nil {
				err = lang.Check(prog, lang.CheckOptions{})
			}
			if err != nil {
				t.Fatalf("check: %v", err)
			}
			if !kernel {
				t.Skip("loading needs root")
			}
			obj, err := codegen.Compile(prog, codegen.Options{
				Kernel: runtime.HostKernelInfo(nil),
				Types:  runtime.NewBTFTypes(),
			})
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			var out bytes.Buffer
			if _, err := runtime.Run(t.Context(), obj, runtime.Options{Out: runtime.NewText(&out, &out), DryRun: true}); err != nil {
				t.Fatalf("load: %v", err)
			}
		})
	}
}

func TestToolList(t *testing.T) {
	var out bytes.Buffer
	listTools(&out)
	if !strings.Contains(out.String(), "opensnoop      files opened, as each open completes.\n") {
		t.Errorf("gbt tools output:\n%s", out.String())
	}
}

// TestExecsnoopParent runs the execsnoop tool over a shell that prints its
// own PID and then runs the workload as a child: the workload's line must
// carry the shell's PID as its parent, a PID of its own and the exact
// argument list.
func TestExecsnoopParent(t *testing.T) {
	dir, name := workloadAs(t, "exsn")
	prog := filepath.Join(dir, name)
	out := gbtRun(t, "-q", "-c", "echo parent $$; "+prog+" getppid 2; true", "execsnoop")

	var parent string
	var found []string
	for line := range strings.Lines(string(out)) {
		line = strings.TrimSuffix(line, "\n")
		if p, ok := strings.CutPrefix(line, "parent "); ok {
			parent = p
		}
		if f := strings.Fields(line); len(f) == 6 && strings.HasSuffix(line, " "+prog+" getppid 2") {
			found = f
		}
	}
	if parent == "" || found == nil {
		t.Fatalf("no 'parent PID' line or no exec line for %s getppid 2 in:\n%s", prog, out)
	}
	if found[2] != parent {
		t.Errorf("PPID %s, want the shell's PID %s; line %q", found[2], parent, found)
	}
	if pid, err := strconv.Atoi(found[1]); err != nil || found[1] == parent || pid <= 0 {
		t.Errorf("PID %s: want a positive PID other than the shell's %s", found[1], parent)
	}
	if _, err := strconv.ParseUint(found[0], 10, 64); err != nil {
		t.Errorf("TIME(ms) %q is not a number", found[0])
	}
}

// TestToolListShelf checks that `gbt tools` lists each tool of the second
// set with the summary line of its header.
func TestToolListShelf(t *testing.T) {
	var out bytes.Buffer
	listTools(&out)
	for _, want := range []string{
		"biolatency     block I/O latency, issue to completion, as a histogram.\n",
		"biosnoop       block I/O requests, one line each as it completes.\n",
		"bitesize       block I/O request sizes, as a histogram per process.\n",
		"execsnoop      new programs as they are exec'd, with their arguments.\n",
		"kprofile       where the CPUs spend their time in the kernel, by stack.\n",
		"runqlat        time tasks wait on a CPU run queue, as a histogram.\n",
		"runqlen        how many tasks wait for each CPU, sampled, as a histogram.\n",
		"setuids        calls that change a process's user or group ids, with results.\n",
		"syslatency     time spent in each system call, by syscall id.\n",
		"tcpstates      TCP sockets changing state, one line per change.\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("gbt tools does not list %q:\n%s", want, out.String())
		}
	}
}
