package codegen

// The stack frame: 512 bytes below R10. Variables get slots for the whole
// program; everything else (string buffers, map keys and values, event
// records, spill slots) is allocated for one statement and released when
// the statement ends. Offsets are negative and 8-byte aligned.

const maxStack = 512

type stackFrame struct {
	top     int     // bytes in use
	max     int     // high-water mark
	spills  []int16 // free spill slots
	overrun bool    // an allocation went past the limit
	limit   int     // the frame's size limit; 0 means maxStack
}

// alloc reserves size bytes (rounded up to 8) and returns the offset of the
// lowest byte from R10.
func (s *stackFrame) alloc(size int) int16 {
	size = align8(size)
	s.top += size
	if s.top > s.max {
		s.max = s.top
	}
	if s.top > s.size() {
		s.overrun = true
		// Keep offsets in range so that emission can go on; the
		// program is rejected with a positioned error.
		return -8
	}
	return int16(-s.top)
}

// size is the frame's size limit.
func (s *stackFrame) size() int {
	if s.limit > 0 {
		return s.limit
	}
	return maxStack
}

func (s *stackFrame) spillSlot() int16 {
	if n := len(s.spills); n > 0 {
		off := s.spills[n-1]
		s.spills = s.spills[:n-1]
		return off
	}
	return s.alloc(8)
}

func (s *stackFrame) freeSpill(off int16) { s.spills = append(s.spills, off) }

// mark and release bracket the temporaries of one statement.
func (s *stackFrame) mark() int { return s.top }

func (s *stackFrame) release(m int) {
	s.top = m
	kept := s.spills[:0]
	for _, off := range s.spills {
		if int(-off) <= m {
			kept = append(kept, off)
		}
	}
	s.spills = kept
}

func align8(n int) int { return (n + 7) &^ 7 }
