// Command workload is a small, deterministic program for gbt's end-to-end
// tests: it makes an exact number of known system calls so that a tracer
// attached to it can be checked against exact counts.
//
// Usage:
//
//	workload [-wait-file PATH] [-wait-stdin] COMMAND ARGS...
//
// Commands:
//
//	getppid N         call getppid(2) N times
//	read SIZE N       read(2) SIZE bytes from /dev/zero N times
//	write SIZE N      write(2) SIZE bytes to /dev/null N times
//	open PATH N       openat(2) PATH N times (read-only), closing each fd
//	sleep MS          sleep MS milliseconds with one clock_nanosleep(2)
//	spin MS           burn CPU for MS milliseconds (for profile probes)
//	call N            call the Go function main.marker N times (for uprobes:
//	                  uprobe:./workload:main.marker fires N times)
//
// With -wait-file the program polls, every millisecond, until PATH exists
// before it starts the command; with -wait-stdin it first reads one line
// from standard input. Either lets a tracer attach before the work begins.
// The tracer can filter on comm == "workload" (the binary's name).
//
// The Go runtime makes system calls of its own at start-up (it opens and
// reads a few files under /sys, for example), so tests of read and open
// should also filter on the size or the path. getppid is never called by
// the runtime, so `@: N` is exact for it.
//
// The program is in testdata so `go build ./...` skips it; tests build it
// with `go build -o DIR/workload ./testdata/workload`.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	waitFile := flag.String("wait-file", "", "wait until this `path` exists before starting")
	waitStdin := flag.Bool("wait-stdin", false, "read one line from standard input before starting")
	flag.Usage = usage
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		usage()
		os.Exit(2)
	}
	run, err := command(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "workload: %v\n", err)
		os.Exit(2)
	}
	if *waitFile != "" {
		for {
			if _, err := os.Stat(*waitFile); err == nil {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	if *waitStdin {
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			fmt.Fprintf(os.Stderr, "workload: waiting for stdin: %v\n", err)
			os.Exit(1)
		}
	}
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "workload: %s: %v\n", args[0], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintf(os.Stderr, `usage: workload [-wait-file PATH] [-wait-stdin] COMMAND ARGS...
commands:
  getppid N | read SIZE N | write SIZE N | open PATH N | sleep MS | spin MS | call N
`)
}

// command parses the command line into a function that does the work, so
// that argument errors are reported before any waiting.
func command(args []string) (func() error, error) {
	want := map[string]int{"getppid": 1, "read": 2, "write": 2, "open": 2, "sleep": 1, "spin": 1, "call": 1}
	n, ok := want[args[0]]
	if !ok {
		return nil, fmt.Errorf("unknown command %q", args[0])
	}
	if len(args)-1 != n {
		return nil, fmt.Errorf("%s takes %d arguments, got %d", args[0], n, len(args)-1)
	}
	var nums []int
	for i, a := range args[1:] {
		if args[0] == "open" && i == 0 {
			continue
		}
		v, err := strconv.Atoi(a)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("%s: bad number %q", args[0], a)
		}
		nums = append(nums, v)
	}
	switch args[0] {
	case "getppid":
		return func() error { return getppid(nums[0]) }, nil
	case "read":
		return func() error { return readZero(nums[0], nums[1]) }, nil
	case "write":
		return func() error { return writeNull(nums[0], nums[1]) }, nil
	case "open":
		return func() error { return open(args[1], nums[0]) }, nil
	case "sleep":
		return func() error { return nanosleep(time.Duration(nums[0]) * time.Millisecond) }, nil
	case "spin":
		return func() error { spin(time.Duration(nums[0]) * time.Millisecond); return nil }, nil
	default:
		return func() error { call(nums[0]); return nil }, nil
	}
}

func getppid(n int) error {
	for range n {
		syscall.Syscall(syscall.SYS_GETPPID, 0, 0, 0)
	}
	return nil
}

func readZero(size, n int) error {
	fd, err := syscall.Open("/dev/zero", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	buf := make([]byte, size)
	for range n {
		if _, err := syscall.Read(fd, buf); err != nil {
			return err
		}
	}
	return nil
}

func writeNull(size, n int) error {
	fd, err := syscall.Open("/dev/null", syscall.O_WRONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	buf := make([]byte, size)
	for range n {
		if _, err := syscall.Write(fd, buf); err != nil {
			return err
		}
	}
	return nil
}

// open calls openat(AT_FDCWD, path) n times; a failing open is counted by
// the kernel just the same, so a missing path is not an error here.
func open(path string, n int) error {
	for range n {
		fd, err := syscall.Openat(atFDCWD, path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == nil {
			syscall.Close(fd)
		}
	}
	return nil
}

const atFDCWD = -100

// nanosleep sleeps with one clock_nanosleep(2) call on CLOCK_MONOTONIC.
// The Go runtime never makes that call (its own short sleeps use
// nanosleep(2), and time.Sleep parks the goroutine), so a tracer counting
// sys_enter_clock_nanosleep for comm "workload" sees exactly one.
func nanosleep(d time.Duration) error {
	ts := syscall.NsecToTimespec(int64(d))
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_CLOCK_NANOSLEEP, clockMonotonic, 0,
			uintptr(unsafe.Pointer(&ts)), uintptr(unsafe.Pointer(&ts)), 0, 0)
		if errno != syscall.EINTR {
			if errno != 0 {
				return errno
			}
			return nil
		}
	}
}

const clockMonotonic = 1

func spin(d time.Duration) {
	end := time.Now().Add(d)
	x := uint64(1)
	for time.Now().Before(end) {
		for range 1000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	sink = x
}

var sink uint64

func call(n int) {
	for i := range n {
		sink += marker(uint64(i))
	}
}

// marker is the uprobe target of `workload call N`: count its calls. Go's
// register ABI passes the argument in RAX, not in the C ABI's first
// register, so a probe's arg0 does not hold i.
//
//go:noinline
func marker(i uint64) uint64 {
	return i * 2
}
