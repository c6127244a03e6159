package main

import (
	"strings"
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		walls []time.Duration
		rss   int64
		want  string
	}{
		{
			walls: []time.Duration{30 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond},
			rss:   2048,
			want:  "x  runs=3  wall min=10.0ms median=20.0ms max=30.0ms  maxrss=2.0MiB",
		},
		{
			walls: []time.Duration{4 * time.Millisecond, 1 * time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond},
			rss:   512,
			want:  "x  runs=4  wall min=1.0ms median=2.5ms max=4.0ms  maxrss=0.5MiB",
		},
	}
	for _, tt := range tests {
		r := &result{walls: tt.walls, maxRSSKiB: tt.rss}
		if got := r.format("x"); got != tt.want {
			t.Errorf("format(%v) = %q, want %q", tt.walls, got, tt.want)
		}
	}
}

func TestMeasureRealCommand(t *testing.T) {
	res, err := measure([]string{"sh", "-c", "sleep 0.02"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.walls) != 2 {
		t.Fatalf("got %d runs, want 2", len(res.walls))
	}
	for _, w := range res.walls {
		if w < 20*time.Millisecond {
			t.Errorf("wall %v shorter than the command's sleep", w)
		}
	}
	if res.maxRSSKiB <= 0 {
		t.Errorf("maxrss = %d KiB, want > 0", res.maxRSSKiB)
	}
}

func TestMeasureFailingCommand(t *testing.T) {
	_, err := measure([]string{"sh", "-c", "echo boom >&2; exit 3"}, 1)
	if err == nil {
		t.Fatal("want an error for a command that exits 3")
	}
	if !strings.Contains(err.Error(), "boom") {
		t.Errorf("error %q does not show the command's stderr", err)
	}
}
