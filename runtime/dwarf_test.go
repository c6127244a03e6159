package runtime

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/runtime/usdttest"
)

func TestReadFuncParams(t *testing.T) {
	exe := usdttest.Build(t)
	for _, tc := range []struct {
		fn   string
		want []codegen.FuncParam
	}{
		{"gbt_regs", []codegen.FuncParam{
			{Name: "i", CType: "int", Kind: codegen.ParamInt, Size: 4, Signed: true},
			{Name: "l", CType: "long int", Kind: codegen.ParamInt, Size: 8, Signed: true},
			{Name: "c", CType: "unsigned char", Kind: codegen.ParamInt, Size: 1},
		}},
		{"main", []codegen.FuncParam{
			{Name: "argc", CType: "int", Kind: codegen.ParamInt, Size: 4, Signed: true},
			{Name: "argv", CType: "char **", Kind: codegen.ParamPointer, Size: 8},
		}},
		{"gbt_loop", []codegen.FuncParam{
			{Name: "n", CType: "int", Kind: codegen.ParamInt, Size: 4, Signed: true},
		}},
	} {
		got, err := ReadFuncParams(exe, tc.fn)
		if err != nil {
			t.Errorf("%s: %v", tc.fn, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: parameters (-want +got):\n%s", tc.fn, diff)
		}
	}
}

func TestReadFuncParamsNoDebugInfo(t *testing.T) {
	exe := usdttest.Build(t)
	if _, err := ReadFuncParams(exe, "gbt_no_such_function"); !errors.Is(err, ErrNoDebugInfo) ||
		!strings.Contains(err.Error(), "gbt_no_such_function") {
		t.Errorf("a function that is not there: got %v, want an error naming it that wraps ErrNoDebugInfo", err)
	}
	stripped := strippedCopy(t, exe)
	_, err := ReadFuncParams(stripped, "gbt_regs")
	if !errors.Is(err, ErrNoDebugInfo) || !strings.Contains(err.Error(), stripped) {
		t.Errorf("a binary without DWARF: got %v, want an error naming it that wraps ErrNoDebugInfo", err)
	}
	if _, err := ReadFuncParams(filepath.Join(t.TempDir(), "missing"), "f"); err == nil || errors.Is(err, ErrNoDebugInfo) {
		t.Errorf("a missing file: got %v, want the error opening it", err)
	}
}

// Go functions are refused: Go passes arguments in registers of its own
// choosing. The workload of the differential tests is Go code with DWARF.
func TestReadFuncParamsGo(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("building a Go program needs the go command")
	}
	exe := filepath.Join(t.TempDir(), "workload")
	if out, err := exec.Command(goTool, "build", "-o", exe, "../testdata/workload").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	_, err = ReadFuncParams(exe, "main.marker")
	if err == nil || !strings.Contains(err.Error(), "main.marker is Go code in "+exe) {
		t.Errorf("got %v, want the refusal of a Go function", err)
	}
}

// Verbose listings of uprobes show the parameters from DWARF, as bpftrace
// does; uretprobes and a binary without DWARF list the names alone.
func TestListUprobeParams(t *testing.T) {
	exe := usdttest.Build(t)
	got, err := ListProbes("uprobe:"+exe+":gbt_*", ListOptions{Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []ListedProbe{
		{Name: "uprobe:" + exe + ":gbt_add", Args: []string{"int a", "int b"}},
		{Name: "uprobe:" + exe + ":gbt_loop", Args: []string{"int n"}},
		{Name: "uprobe:" + exe + ":gbt_regs", Args: []string{"int i", "long int l", "unsigned char c"}},
		{Name: "uprobe:" + exe + ":gbt_sem_round", Args: []string{"int i"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("uprobe listing (-want +got):\n%s", diff)
	}
	got, err = ListProbes("uretprobe:"+exe+":gbt_regs", ListOptions{Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]ListedProbe{{Name: "uretprobe:" + exe + ":gbt_regs"}}, got); diff != "" {
		t.Errorf("uretprobe listing (-want +got):\n%s", diff)
	}
	stripped := strippedCopy(t, exe)
	got, err = ListProbes("uprobe:"+stripped+":gbt_regs", ListOptions{Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]ListedProbe{{Name: "uprobe:" + stripped + ":gbt_regs"}}, got); diff != "" {
		t.Errorf("listing without DWARF (-want +got):\n%s", diff)
	}
}

// strippedCopy returns a copy of exe without its debug information (made
// with objcopy; the test skips without it).
func strippedCopy(t *testing.T, exe string) string {
	t.Helper()
	objcopy, err := exec.LookPath("objcopy")
	if err != nil {
		t.Skip("objcopy is not installed")
	}
	stripped := filepath.Join(t.TempDir(), "usdt")
	if out, err := exec.Command(objcopy, "--strip-debug", exe, stripped).CombinedOutput(); err != nil {
		t.Fatalf("objcopy: %v\n%s", err, out)
	}
	return stripped
}
