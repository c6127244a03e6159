package main

import (
	"flag"
	"os"
	"testing"

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
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "../../testdata/script",
		UpdateScripts: *update,
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				return os.Geteuid() == 0, nil
			case "kernel":
				return os.Geteuid() == 0 || os.Getenv("GBT_KERNEL_TESTS") == "1", nil
			}
			return false, nil
		},
	})
}
