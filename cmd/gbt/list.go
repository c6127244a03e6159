package main

import (
	"fmt"
	"io"

	"github.com/gbt-project/gbt/runtime"
)

// listProbes is gbt -l [PATTERN] and gbt -lv [PATTERN]: it prints the
// probes PATTERN names, as bpftrace -l does (runtime.ListProbes). As with
// bpftrace, the pattern may also follow other options: gbt -l -v PATTERN.
func listProbes(o *options, stdout, stderr io.Writer) int {
	pattern := o.listPattern
	if pattern == "" {
		pattern = o.file
	}
	probes, err := runtime.ListProbes(pattern, runtime.ListOptions{
		Verbose: o.verbose,
		Pid:     o.pid,
		Logf: func(format string, args ...any) {
			if o.verbose {
				fmt.Fprintf(stderr, "gbt: "+format+"\n", args...)
			}
		},
		Warnf: func(format string, args ...any) {
			fmt.Fprintf(stderr, "gbt: warning: "+format+"\n", args...)
		},
	})
	if err == nil {
		err = runtime.WriteProbes(stdout, probes)
	}
	if err != nil {
		fmt.Fprintf(stderr, "gbt: %v\n", err)
		return 1
	}
	return 0
}
