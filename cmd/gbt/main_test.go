package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the cmp goldens of testdata/script")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"gbt": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScript runs the command-line stories in testdata/script: each is a
// txtar archive of gbt invocations with their exact expected output.
// Stories that need the kernel start with `[!kernel] skip`: the condition
// holds for root, and also under GBT_KERNEL_TESTS=1, so that there a story
// that cannot reach the kernel fails instead of skipping.
//
// Besides gbt, the stories can run the workload (testdata/workload, built
// once per test run, at $WORKLOAD) and use the commands of scriptCmds:
// waitattached, signal. Stories run in parallel with each other and with
// whatever else the machine runs, so each story also gets the workload
// under a name of its own, $WL, on PATH: that is the workload's comm,
// which the scripts filter on (usually as `comm == str($1)` with $WL as
// the argument).
func TestScript(t *testing.T) {
	wl := workload(t)
	var stories atomic.Int32
	testscript.Run(t, testscript.Params{
		Dir:           "../../testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			// At most 15 characters, the kernel's limit for comm.
			name := fmt.Sprintf("wl%d_%d", os.Getpid()%100000, stories.Add(1))
			bin := filepath.Join(env.WorkDir, ".bin")
			if err := os.Mkdir(bin, 0o755); err != nil {
				return err
			}
			if err := os.Symlink(wl, filepath.Join(bin, name)); err != nil {
				return err
			}
			env.Setenv("WORKLOAD", wl)
			env.Setenv("WL", name)
			env.Setenv("PATH", bin+string(filepath.ListSeparator)+env.Getenv("PATH"))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				return os.Geteuid() == 0, nil
			case "kernel":
				return kernelTests(), nil
			}
			return false, nil
		},
		Cmds: scriptCmds,
	})
}

// kernelTests reports whether the tests that need the kernel should run.
func kernelTests() bool {
	return os.Geteuid() == 0 || os.Getenv("GBT_KERNEL_TESTS") == "1"
}

var (
	workloadOnce sync.Once
	workloadPath string
	workloadErr  error
)

// workload builds testdata/workload once per test binary and returns its
// path.
func workload(t *testing.T) string {
	t.Helper()
	workloadOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gbt-workload")
		if err != nil {
			workloadErr = err
			return
		}
		workloadPath = filepath.Join(dir, "workload")
		out, err := exec.Command("go", "build", "-o", workloadPath, "../../testdata/workload").CombinedOutput()
		if err != nil {
			workloadErr = fmt.Errorf("building the workload: %v\n%s", err, out)
		}
	})
	if workloadErr != nil {
		t.Fatal(workloadErr)
	}
	return workloadPath
}

// scriptCmds are the stories' own commands.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// waitattached N: wait (at most 10 s) until the gbt started last in
	// the background holds N bpf links, that is until it has attached N
	// probes. BEGIN and END are run, not attached, and do not count.
	"waitattached": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: waitattached N")
		}
		n, err := strconv.Atoi(args[0])
		ts.Check(err)
		cmd := lastBackground(ts, "gbt")
		deadline := time.Now().Add(10 * time.Second)
		for {
			got := countLinks(cmd.Process.Pid)
			if got >= n {
				return
			}
			if time.Now().After(deadline) {
				ts.Fatalf("gbt attached %d probes in 10s, want %d", got, n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	},
	// signal SIG NAME: send SIG (INT, TERM, HUP) to the background
	// command NAME (gbt, $WL) started last. The built-in kill knows only
	// INT and KILL.
	"signal": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 2 {
			ts.Fatalf("usage: signal SIG NAME")
		}
		sigs := map[string]syscall.Signal{"INT": syscall.SIGINT, "TERM": syscall.SIGTERM, "HUP": syscall.SIGHUP}
		sig, ok := sigs[args[0]]
		if !ok {
			ts.Fatalf("unknown signal %s", args[0])
		}
		ts.Check(lastBackground(ts, args[1]).Process.Signal(sig))
	},
}

// lastBackground returns the background command started last whose
// program is named name.
func lastBackground(ts *testscript.TestScript, name string) *exec.Cmd {
	cmds := ts.BackgroundCmds()
	for i := len(cmds) - 1; i >= 0; i-- {
		if filepath.Base(cmds[i].Path) == name && cmds[i].Process != nil {
			return cmds[i]
		}
	}
	ts.Fatalf("no background %s", name)
	return nil
}

// countLinks counts the bpf_link file descriptors of process pid.
func countLinks(pid int) int {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	fds, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join(dir, fd.Name()))
		if err == nil && strings.HasPrefix(target, "anon_inode:bpf_link") {
			n++
		}
	}
	return n
}
