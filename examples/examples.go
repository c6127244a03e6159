// Package examples holds gbt's canned tools: bpftrace scripts written for
// this project, embedded in the binary so that an operator can list and run
// them by name. Each tool is one .bt file with a comment header that says
// what it shows and how to run it.
package examples

import "embed"

// Tools holds every canned tool, by file name ("opensnoop.bt").
//
//go:embed *.bt
var Tools embed.FS
