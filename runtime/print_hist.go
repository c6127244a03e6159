package runtime

import (
	"strconv"
)

// histBarWidth is the width of the '@' bar of a histogram row.
const histBarWidth = 52

// bucketRange is what one histogram bucket counts, for labels and JSON:
// values from lo to hi inclusive; below: everything under hi; above:
// everything from lo up. Linear buckets are signed, log2 ones unsigned
// (hi of the last log2 bucket is 2^64-1).
type bucketRange struct {
	below, above bool
	lo, hi       uint64
	signed       bool
}

// bucket returns the range bucket i of h counts.
func (h *Hist) bucket(i int) bucketRange {
	if h.Linear {
		n := int64(i)
		switch {
		case i == 0:
			return bucketRange{below: true, hi: uint64(h.Min - 1), signed: true}
		case i == len(h.Buckets)-1:
			return bucketRange{above: true, lo: uint64(h.Max), signed: true}
		}
		return bucketRange{lo: uint64(h.Min + (n-1)*h.Step), hi: uint64(h.Min + n*h.Step - 1), signed: true}
	}
	switch {
	case i == 0:
		return bucketRange{below: true, hi: ^uint64(0), signed: true}
	case i <= 2<<h.K:
		return bucketRange{lo: uint64(i - 1), hi: uint64(i - 1)}
	}
	return bucketRange{lo: log2Start(i-1, h.K), hi: log2Start(i, h.K) - 1}
}

// log2Start returns the first value of log2 bucket index idx (idx > 2^k):
// each power of two is split into N = 2^k intervals of 2^(p) values.
func log2Start(idx, k int) uint64 {
	n := 1 << k
	p, interval := splitLog2(idx, k)
	return (uint64(1) << p) * uint64(n+interval)
}

func splitLog2(idx, k int) (power, interval int) {
	return (idx >> k) - 1, idx & (1<<k - 1)
}

// appendLog2Label appends the start of log2 bucket idx with a 1024-based
// suffix: 2, 512, 1K, 4M, 16E.
func appendLog2Label(b []byte, idx, k int) []byte {
	p, interval := splitLog2(idx, k)
	decade := min(p/10, 6)
	b = strconv.AppendUint(b, (uint64(1)<<(p-10*decade))*uint64(1<<k+interval), 10)
	if decade > 0 {
		b = append(b, " KMGTPE"[decade])
	}
	return b
}

// appendLinearLabel appends a linear bucket bound: with K or M suffixes
// when the step is a multiple of 1024 and the bound a multiple of 1K or
// 1M, in decimal otherwise.
func appendLinearLabel(b []byte, n, step int64) []byte {
	const kilo, mega = 1024, 1024 * 1024
	switch {
	case step%kilo != 0 || n == 0:
	case n%mega == 0:
		return append(strconv.AppendInt(b, n/mega, 10), 'M')
	case n%kilo == 0:
		return append(strconv.AppendInt(b, n/kilo, 10), 'K')
	}
	return strconv.AppendInt(b, n, 10)
}

// appendBucketLabel appends the text label of bucket i: "(..., 0)", "[0]",
// "[2, 4)", "[1K, 2K)", "[100, ...)".
func appendBucketLabel(b []byte, h *Hist, i int) []byte {
	if h.Linear {
		switch {
		case i == 0:
			b = append(b, "(..., "...)
			return append(appendLinearLabel(b, h.Min, h.Step), ')')
		case i == len(h.Buckets)-1:
			b = append(b, '[')
			return append(appendLinearLabel(b, h.Max, h.Step), ", ...)"...)
		}
		b = append(b, '[')
		b = appendLinearLabel(b, h.Min+int64(i-1)*h.Step, h.Step)
		b = append(b, ", "...)
		b = appendLinearLabel(b, h.Min+int64(i)*h.Step, h.Step)
		return append(b, ')')
	}
	switch {
	case i == 0:
		return append(b, "(..., 0)"...)
	case i <= 2<<h.K:
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(i-1), 10)
		return append(b, ']')
	}
	b = append(b, '[')
	b = appendLog2Label(b, i-1, h.K)
	b = append(b, ", "...)
	b = appendLog2Label(b, i, h.K)
	return append(b, ')')
}

// histSpan returns the first and last buckets with a count, or -1, -1.
func histSpan(h *Hist) (first, last int) {
	first, last = -1, -1
	for i, c := range h.Buckets {
		if c > 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	return first, last
}

// appendHistRows appends the rows of a histogram from its first to its last
// non-empty bucket: the label left-aligned in 16 columns, the count (divided
// by div) right-aligned in 8, and a bar of '@' scaled to the largest count.
// The bar is computed from the undivided counts, as bpftrace does.
func appendHistRows(b []byte, h *Hist, div uint64) []byte {
	first, last := histSpan(h)
	if first < 0 {
		return b
	}
	var most uint64
	for _, c := range h.Buckets[first : last+1] {
		most = max(most, c)
	}
	for i := first; i <= last; i++ {
		start := len(b)
		b = appendBucketLabel(b, h, i)
		for len(b)-start < 16 {
			b = append(b, ' ')
		}
		c := h.Buckets[i]
		shown := c
		if div > 1 {
			shown = c / div
		}
		var num [20]byte
		digits := strconv.AppendUint(num[:0], shown, 10)
		for n := len(digits); n < 8; n++ {
			b = append(b, ' ')
		}
		b = append(b, digits...)
		b = append(b, " |"...)
		bar := barLength(c, most)
		for j := 0; j < histBarWidth; j++ {
			if j < bar {
				b = append(b, '@')
			} else {
				b = append(b, ' ')
			}
		}
		b = append(b, "|\n"...)
	}
	return b
}

// barLength scales a count to the bar width the way bpftrace does, in
// single-precision floating point: count / (float)max * 52, truncated.
func barLength(count, most uint64) int {
	if most == 0 {
		return 0
	}
	return int(float32(count) / float32(most) * histBarWidth)
}
