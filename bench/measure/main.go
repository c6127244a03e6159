// Command measure runs one or more commands several times and reports, for
// each, its wall time (min, median, max), its CPU time (user plus system,
// median) and its peak resident memory, read from the rusage that wait4
// returns for the child. It exists so the benchmarks need neither GNU time
// nor hyperfine.
//
// Usage:
//
//	measure [-n RUNS] [-name LABEL]... [-format text|tsv|raw] -- COMMAND [ARGS...] [::: COMMAND [ARGS...]]...
//
// Several commands are separated by a lone ":::". Their runs are
// interleaved (A B A B ...), so that a machine that is busier for a while
// slows every command alike and the ratios stay fair. The i-th -name labels
// the i-th command; a command without a label is labelled by its words.
//
// The commands' output is discarded; a run that exits non-zero stops the
// measurement with an error that shows the command's stderr. With the
// default text format one line is printed per command:
//
//	LABEL  runs=10  wall min=12.1ms median=13.0ms max=15.2ms  cpu=9.8ms  maxrss=18.4MiB
//
// then, when there are several, one line per later command comparing the
// first with it (wall and CPU medians, peak RSS):
//
//	ratio LABEL0/LABEL1  wall=0.057  cpu=0.031  maxrss=0.098
//
// The tsv format prints one tab-separated line per command instead, for
// scripts: label, runs, wall min, median and max in nanoseconds, CPU
// median in nanoseconds, peak RSS in KiB. The raw format prints every run,
// tab-separated, for scripts that pool several measurements: label, wall
// and CPU time in nanoseconds, peak RSS in KiB.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// separator splits the commands on measure's command line.
const separator = ":::"

func main() {
	runs := flag.Int("n", 10, "number of `runs` of each command")
	var names []string
	flag.Func("name", "`label` of the next command (repeat for each command)", func(s string) error {
		names = append(names, s)
		return nil
	})
	format := flag.String("format", "text", "output `format`: text, tsv or raw")
	flag.Parse()
	cmds := splitCommands(flag.Args())
	if len(cmds) == 0 || *runs < 1 || len(names) > len(cmds) || !slices.Contains([]string{"text", "tsv", "raw"}, *format) {
		fmt.Fprintln(os.Stderr, "usage: measure [-n RUNS] [-name LABEL]... [-format text|tsv|raw] -- COMMAND [ARGS...] [::: COMMAND [ARGS...]]...")
		os.Exit(2)
	}
	labels := make([]string, len(cmds))
	for i, argv := range cmds {
		labels[i] = strings.Join(argv, " ")
		if i < len(names) {
			labels[i] = names[i]
		}
	}
	res, err := measure(cmds, *runs)
	if err != nil {
		fmt.Fprintf(os.Stderr, "measure: %v\n", err)
		os.Exit(1)
	}
	write(os.Stdout, *format, labels, res)
}

// splitCommands splits args at each lone separator, dropping empty commands.
func splitCommands(args []string) [][]string {
	var cmds [][]string
	var cur []string
	for _, a := range append(args, separator) {
		if a != separator {
			cur = append(cur, a)
			continue
		}
		if len(cur) > 0 {
			cmds = append(cmds, cur)
		}
		cur = nil
	}
	return cmds
}

// result holds the wall and CPU time and the peak RSS of every run of one
// command, and the largest peak RSS seen.
type result struct {
	walls     []time.Duration
	cpus      []time.Duration
	rssKiB    []int64
	maxRSSKiB int64
}

// measure runs every command runs times, interleaved, and returns one
// result per command.
func measure(cmds [][]string, runs int) ([]*result, error) {
	res := make([]*result, len(cmds))
	for i := range res {
		res[i] = &result{}
	}
	for range runs {
		for i, argv := range cmds {
			if err := res[i].run(argv); err != nil {
				return nil, fmt.Errorf("%s: %v", strings.Join(argv, " "), err)
			}
		}
	}
	return res, nil
}

// run runs argv once and records it.
func (r *result) run(argv []string) error {
	var stderr bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return fmt.Errorf("%v: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	r.walls = append(r.walls, wall)
	r.cpus = append(r.cpus, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		// Linux reports ru_maxrss in KiB.
		rss = ru.Maxrss
	}
	r.rssKiB = append(r.rssKiB, rss)
	r.maxRSSKiB = max(r.maxRSSKiB, rss)
	return nil
}

// write prints the results in format: text, tsv or raw.
func write(w io.Writer, format string, labels []string, res []*result) {
	switch format {
	case "raw":
		for i, r := range res {
			for j := range r.walls {
				fmt.Fprintf(w, "%s\t%d\t%d\t%d\n", labels[i], r.walls[j], r.cpus[j], r.rssKiB[j])
			}
		}
		return
	case "tsv":
		for i, r := range res {
			s := summarize(r.walls)
			fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", labels[i], len(r.walls),
				s.min, s.median, s.max, summarize(r.cpus).median, r.maxRSSKiB)
		}
		return
	}
	for i, r := range res {
		fmt.Fprintln(w, r.format(labels[i]))
	}
	for i := 1; i < len(res); i++ {
		fmt.Fprintln(w, ratio(labels[0], labels[i], res[0], res[i]))
	}
}
