package runtime

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/runtime/usdttest"
)

// userList lists user-space probes; those never touch tracefs or BTF.
func userList(t *testing.T, pattern string, pid int) []string {
	t.Helper()
	probes, err := ListProbes(pattern, ListOptions{Pid: pid, Tracefs: testTracefs, Features: noKernelKinds})
	if err != nil {
		t.Fatalf("ListProbes(%q): %v", pattern, err)
	}
	return names(probes)
}

func TestListUprobes(t *testing.T) {
	exe := usdttest.Build(t)
	tests := []struct {
		pattern string
		want    []string
	}{
		// Functions only: gbt_global and the semaphores are data.
		{"uprobe:" + exe + ":gbt_*", []string{"gbt_add", "gbt_loop", "gbt_regs", "gbt_sem_round"}},
		// Names as stored, so mangled: that is what attaches.
		{"uprobe:" + exe + ":_Z*", []string{"_ZN3gbt3cxxEi"}},
		{"uprobe:" + exe + ":main", []string{"main"}},
		{"uprobe:" + exe + ":nosuch*", nil},
		// A wildcard path, resolved through the file system.
		{"uprobe:" + filepath.Dir(exe) + "/us?t:gbt_add", []string{"gbt_add"}},
	}
	for _, tt := range tests {
		var want []string
		for _, fn := range tt.want {
			want = append(want, "uprobe:"+exe+":"+fn)
		}
		if diff := cmp.Diff(want, userList(t, tt.pattern, 0)); diff != "" {
			t.Errorf("ListProbes(%q) (-want +got):\n%s", tt.pattern, diff)
		}
	}

	// The binary alone lists all its functions.
	all := userList(t, "uprobe:"+exe, 0)
	for _, fn := range []string{"main", "gbt_add", "gbt_loop", "_ZN3gbt3cxxEi"} {
		if !contains(all, "uprobe:"+exe+":"+fn) {
			t.Errorf("uprobe:%s lists no %s in %q", exe, fn, all)
		}
	}

	// A name without a '/' is looked up in $PATH and printed resolved.
	t.Setenv("PATH", filepath.Dir(exe))
	if diff := cmp.Diff([]string{"uprobe:" + exe + ":gbt_add"}, userList(t, "uprobe:usdt:gbt_add", 0)); diff != "" {
		t.Errorf("uprobe:usdt:gbt_add through $PATH (-want +got):\n%s", diff)
	}
}

func TestListUSDT(t *testing.T) {
	exe := usdttest.Build(t)
	tests := []struct {
		pattern string
		want    []string
	}{
		{"usdt:" + exe, []string{"gbt:consts", "gbt:counted", "gbt:global", "gbt:regs", "gbt:stack"}},
		{"usdt:" + exe + ":*", []string{"gbt:consts", "gbt:counted", "gbt:global", "gbt:regs", "gbt:stack"}},
		{"U:" + exe + ":gbt:c*", []string{"gbt:consts", "gbt:counted"}},
		{"usdt:" + exe + ":regs", []string{"gbt:regs"}},
		{"usdt:" + exe + ":*:st*", []string{"gbt:stack"}},
		{"usdt:" + exe + ":other:*", nil},
	}
	for _, tt := range tests {
		var want []string
		for _, p := range tt.want {
			want = append(want, "usdt:"+exe+":"+p)
		}
		if diff := cmp.Diff(want, userList(t, tt.pattern, 0)); diff != "" {
			t.Errorf("ListProbes(%q) (-want +got):\n%s", tt.pattern, diff)
		}
	}
	// A binary without SDT notes has no USDT probes.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if got := userList(t, "usdt:"+self, 0); got != nil {
		t.Errorf("usdt:%s = %q, want none", self, got)
	}
}

// TestListUSDTProcess lists the probes of the files a running process
// maps ("usdt:*" with a pid), as bpftrace -p PID -l 'usdt:*' does.
func TestListUSDTProcess(t *testing.T) {
	exe := usdttest.Build(t)
	p := usdttest.Wait(t, exe)
	want := []string{"usdt:" + exe + ":gbt:regs"}
	if diff := cmp.Diff(want, userList(t, "usdt:*:gbt:regs", p.Pid)); diff != "" {
		t.Errorf("usdt:*:gbt:regs of pid %d (-want +got):\n%s", p.Pid, diff)
	}
	// Without a pid, every process's files: the test program is one.
	if !contains(userList(t, "usdt:*:gbt:regs", 0), want[0]) {
		t.Errorf("usdt:*:gbt:regs of all processes lacks %s", want[0])
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
