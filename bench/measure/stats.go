package main

import (
	"fmt"
	"slices"
	"time"
)

// summary is the spread of a set of durations.
type summary struct {
	min, median, max time.Duration
}

// summarize returns the min, median and max of ds, which must not be empty;
// the median of an even count is the mean of the two middle values.
func summarize(ds []time.Duration) summary {
	s := slices.Clone(ds)
	slices.Sort(s)
	median := s[len(s)/2]
	if len(s)%2 == 0 {
		median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return summary{min: s[0], median: median, max: s[len(s)-1]}
}

func (r *result) format(label string) string {
	w := summarize(r.walls)
	return fmt.Sprintf("%s  runs=%d  wall min=%s median=%s max=%s  cpu=%s  maxrss=%.1fMiB",
		label, len(r.walls), ms(w.min), ms(w.median), ms(w.max),
		ms(summarize(r.cpus).median), float64(r.maxRSSKiB)/1024)
}

// ratio compares a with b: median wall time, median CPU time and peak RSS
// of a divided by b's.
func ratio(labelA, labelB string, a, b *result) string {
	return fmt.Sprintf("ratio %s/%s  wall=%s  cpu=%s  maxrss=%s", labelA, labelB,
		quotient(float64(summarize(a.walls).median), float64(summarize(b.walls).median)),
		quotient(float64(summarize(a.cpus).median), float64(summarize(b.cpus).median)),
		quotient(float64(a.maxRSSKiB), float64(b.maxRSSKiB)))
}

// quotient formats x/y with three decimals, or "n/a" when y is zero.
func quotient(x, y float64) string {
	if y == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", x/y)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}
