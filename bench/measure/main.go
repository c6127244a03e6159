// Command measure runs a command several times and reports its wall time
// (min, median, max) and its peak resident memory, read from the rusage
// that wait4 returns for the child. It exists so the start-up benchmark
// needs neither GNU time nor hyperfine.
//
// Usage:
//
//	measure [-n RUNS] [-name LABEL] -- COMMAND [ARGS...]
//
// The command's output is discarded; a run that exits non-zero stops the
// measurement with an error that shows the command's stderr. One result line
// is printed:
//
//	LABEL  runs=10  wall min=12.1ms median=13.0ms max=15.2ms  maxrss=18.4MiB
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	runs := flag.Int("n", 10, "number of `runs`")
	name := flag.String("name", "", "`label` for the result line (default: the command)")
	flag.Parse()
	argv := flag.Args()
	if len(argv) == 0 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: measure [-n RUNS] [-name LABEL] -- COMMAND [ARGS...]")
		os.Exit(2)
	}
	label := *name
	if label == "" {
		label = strings.Join(argv, " ")
	}
	res, err := measure(argv, *runs)
	if err != nil {
		fmt.Fprintf(os.Stderr, "measure: %s: %v\n", label, err)
		os.Exit(1)
	}
	fmt.Println(res.format(label))
}

// result holds the wall time of every run and the largest peak RSS seen.
type result struct {
	walls     []time.Duration
	maxRSSKiB int64
}

func measure(argv []string, runs int) (*result, error) {
	res := &result{}
	for range runs {
		var stderr bytes.Buffer
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stderr = &stderr
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if err != nil {
			return nil, fmt.Errorf("%v: %s", err, bytes.TrimSpace(stderr.Bytes()))
		}
		res.walls = append(res.walls, wall)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			// Linux reports ru_maxrss in KiB.
			res.maxRSSKiB = max(res.maxRSSKiB, ru.Maxrss)
		}
	}
	return res, nil
}

func (r *result) format(label string) string {
	w := slices.Clone(r.walls)
	slices.Sort(w)
	median := w[len(w)/2]
	if len(w)%2 == 0 {
		median = (w[len(w)/2-1] + w[len(w)/2]) / 2
	}
	return fmt.Sprintf("%s  runs=%d  wall min=%s median=%s max=%s  maxrss=%.1fMiB",
		label, len(w), ms(w[0]), ms(median), ms(w[len(w)-1]), float64(r.maxRSSKiB)/1024)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}
