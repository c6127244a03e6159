package main

import (
	"bytes"
	"os"
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
