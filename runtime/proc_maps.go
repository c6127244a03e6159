package runtime

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// ProcMapping is one line of /proc/PID/maps: the addresses [Start, End) of
// the process map the file Path (or a pseudo-file such as "[heap]", or
// nothing for anonymous memory) from file offset Offset.
type ProcMapping struct {
	Start, End uint64
	Perms      string // "r-xp"
	Offset     uint64
	Inode      uint64
	Path       string
}

// Exec reports whether the mapping is executable.
func (m ProcMapping) Exec() bool { return len(m.Perms) > 2 && m.Perms[2] == 'x' }

// ReadProcMaps reads the memory map of process pid, sorted by address. A
// process that does not exist gives an error satisfying os.IsNotExist.
func ReadProcMaps(pid int) ([]ProcMapping, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return nil, err
	}
	return ParseProcMaps(data)
}

// ParseProcMaps parses the text of a /proc/PID/maps file:
//
//	55d0c4a00000-55d0c4a2e000 r--p 00000000 fe:01 1837 /usr/bin/bash
//
// A path may contain spaces; a deleted file keeps its " (deleted)" suffix.
func ParseProcMaps(data []byte) ([]ProcMapping, error) {
	var maps []ProcMapping
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		m, err := parseMapsLine(line)
		if err != nil {
			return nil, fmt.Errorf("maps line %d: %w", n, err)
		}
		maps = append(maps, m)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(maps, func(a, b ProcMapping) int { return cmp.Compare(a.Start, b.Start) })
	return maps, nil
}

func parseMapsLine(line string) (ProcMapping, error) {
	var m ProcMapping
	fields := make([]string, 0, 5)
	rest := line
	for range 5 {
		rest = strings.TrimLeft(rest, " ")
		f, r, _ := strings.Cut(rest, " ")
		fields = append(fields, f)
		rest = r
	}
	m.Path = strings.TrimLeft(rest, " ")
	lo, hi, ok := strings.Cut(fields[0], "-")
	var err1, err2, err3, err4 error
	m.Start, err1 = strconv.ParseUint(lo, 16, 64)
	m.End, err2 = strconv.ParseUint(hi, 16, 64)
	m.Perms = fields[1]
	m.Offset, err3 = strconv.ParseUint(fields[2], 16, 64)
	m.Inode, err4 = strconv.ParseUint(fields[4], 10, 64)
	if !ok || err1 != nil || err2 != nil || err3 != nil || err4 != nil || len(m.Perms) != 4 || m.End < m.Start {
		return ProcMapping{}, fmt.Errorf("malformed: %q", line)
	}
	return m, nil
}

// findMapping returns the mapping of maps (sorted by Start) that contains
// addr.
func findMapping(maps []ProcMapping, addr uint64) (ProcMapping, bool) {
	i, _ := slices.BinarySearchFunc(maps, addr+1, func(m ProcMapping, a uint64) int { return cmp.Compare(m.Start, a) })
	if i > 0 && addr < maps[i-1].End {
		return maps[i-1], true
	}
	return ProcMapping{}, false
}
