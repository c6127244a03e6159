package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		walls []time.Duration
		cpus  []time.Duration
		rss   int64
		want  string
	}{
		{
			walls: []time.Duration{30 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond},
			cpus:  []time.Duration{5 * time.Millisecond, 7 * time.Millisecond, 6 * time.Millisecond},
			rss:   2048,
			want:  "x  runs=3  wall min=10.0ms median=20.0ms max=30.0ms  cpu=6.0ms  maxrss=2.0MiB",
		},
		{
			walls: []time.Duration{4 * time.Millisecond, 1 * time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond},
			cpus:  []time.Duration{1 * time.Millisecond, 1 * time.Millisecond, 2 * time.Millisecond, 2 * time.Millisecond},
			rss:   512,
			want:  "x  runs=4  wall min=1.0ms median=2.5ms max=4.0ms  cpu=1.5ms  maxrss=0.5MiB",
		},
	}
	for _, tt := range tests {
		r := &result{walls: tt.walls, cpus: tt.cpus, maxRSSKiB: tt.rss}
		if got := r.format("x"); got != tt.want {
			t.Errorf("format(%v) = %q, want %q", tt.walls, got, tt.want)
		}
	}
}

func TestSplitCommands(t *testing.T) {
	tests := []struct {
		args []string
		want [][]string
	}{
		{args: []string{"a", "-x"}, want: [][]string{{"a", "-x"}}},
		{args: []string{"a", ":::", "b", "1", ":::", "c"}, want: [][]string{{"a"}, {"b", "1"}, {"c"}}},
		{args: []string{":::", "a", ":::", ":::"}, want: [][]string{{"a"}}},
		{args: []string{"echo", "::::"}, want: [][]string{{"echo", "::::"}}},
		{args: nil, want: nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, splitCommands(tt.args)); diff != "" {
			t.Errorf("splitCommands(%q) (-want +got):\n%s", tt.args, diff)
		}
	}
}

func TestWrite(t *testing.T) {
	res := []*result{
		{walls: []time.Duration{10 * time.Millisecond}, cpus: []time.Duration{4 * time.Millisecond}, rssKiB: []int64{1024}, maxRSSKiB: 1024},
		{walls: []time.Duration{40 * time.Millisecond, 30 * time.Millisecond}, cpus: []time.Duration{16 * time.Millisecond, 12 * time.Millisecond}, rssKiB: []int64{8192, 4096}, maxRSSKiB: 8192},
		{walls: []time.Duration{20 * time.Millisecond}, cpus: []time.Duration{0}, rssKiB: []int64{0}, maxRSSKiB: 0},
	}
	labels := []string{"a", "b", "c"}
	tests := []struct {
		format string
		want   string
	}{
		{format: "text", want: "" +
			"a  runs=1  wall min=10.0ms median=10.0ms max=10.0ms  cpu=4.0ms  maxrss=1.0MiB\n" +
			"b  runs=2  wall min=30.0ms median=35.0ms max=40.0ms  cpu=14.0ms  maxrss=8.0MiB\n" +
			"c  runs=1  wall min=20.0ms median=20.0ms max=20.0ms  cpu=0.0ms  maxrss=0.0MiB\n" +
			"ratio a/b  wall=0.286  cpu=0.286  maxrss=0.125\n" +
			"ratio a/c  wall=0.500  cpu=n/a  maxrss=n/a\n"},
		{format: "tsv", want: "" +
			"a\t1\t10000000\t10000000\t10000000\t4000000\t1024\n" +
			"b\t2\t30000000\t35000000\t40000000\t14000000\t8192\n" +
			"c\t1\t20000000\t20000000\t20000000\t0\t0\n"},
		{format: "raw", want: "" +
			"a\t10000000\t4000000\t1024\n" +
			"b\t40000000\t16000000\t8192\n" +
			"b\t30000000\t12000000\t4096\n" +
			"c\t20000000\t0\t0\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		write(&buf, tt.format, labels, res)
		if diff := cmp.Diff(tt.want, buf.String()); diff != "" {
			t.Errorf("write %s (-want +got):\n%s", tt.format, diff)
		}
	}
}

func TestMeasureRealCommands(t *testing.T) {
	cmds := [][]string{
		{"sh", "-c", "sleep 0.02"},
		{"sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"},
	}
	res, err := measure(cmds, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 {
		t.Fatalf("got %d results, want 2", len(res))
	}
	for i, r := range res {
		if len(r.walls) != 2 || len(r.cpus) != 2 || len(r.rssKiB) != 2 {
			t.Fatalf("command %d: got %d walls, %d cpus and %d rss, want 2 each", i, len(r.walls), len(r.cpus), len(r.rssKiB))
		}
		if r.maxRSSKiB <= 0 {
			t.Errorf("command %d: maxrss = %d KiB, want > 0", i, r.maxRSSKiB)
		}
	}
	for _, w := range res[0].walls {
		if w < 20*time.Millisecond {
			t.Errorf("wall %v shorter than the command's sleep", w)
		}
	}
	// The busy loop burns CPU; the sleep barely does.
	if busy, idle := summarize(res[1].cpus).median, summarize(res[0].cpus).median; busy <= idle {
		t.Errorf("busy loop cpu %v not above sleep's %v", busy, idle)
	}
}

func TestMeasureFailingCommand(t *testing.T) {
	_, err := measure([][]string{{"true"}, {"sh", "-c", "echo boom >&2; exit 3"}}, 1)
	if err == nil {
		t.Fatal("want an error for a command that exits 3")
	}
	if !strings.Contains(err.Error(), "boom") {
		t.Errorf("error %q does not show the command's stderr", err)
	}
}
