package runtime

import (
	"errors"
	"fmt"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"

	"github.com/gbt-project/gbt/codegen"
)

// Lost events: programs send events to the codegen.RingbufName map (a
// BPF_MAP_TYPE_RINGBUF) with bpf_ringbuf_output(&map, buf, size, 0); the
// runtime receives the records in the order the kernel reserved them, which
// across CPUs is the order of the bpf_ringbuf_output calls. When the call
// fails because the buffer is full, the program counts the event in the
// per-CPU codegen.DropsName map (see codegen/events.go), which the runtime
// sums to report lost events (RingReader.Dropped).

// RingReader delivers the records of a ring buffer map, in order, to a
// callback running in its own goroutine, and counts the events the BPF side
// could not send.
type RingReader struct {
	rd    *ringbuf.Reader
	drops *ebpf.Map

	mu       sync.Mutex
	started  bool
	stopping bool
	synced   chan struct{} // closed at the next ErrFlushed; see Sync

	syncMu sync.Mutex // one Sync at a time

	done    chan struct{} // closed when the reading goroutine returns
	readErr error         // why it returned, if not because of Close

	closeOnce sync.Once
	closeErr  error
}

// NewRingReader reads events, a BPF_MAP_TYPE_RINGBUF map. drops, the
// per-CPU drop counter described at codegen.DropsName, may be nil.
func NewRingReader(events, drops *ebpf.Map) (*RingReader, error) {
	rd, err := ringbuf.NewReader(events)
	if err != nil {
		return nil, fmt.Errorf("ring buffer reader: %w", err)
	}
	return &RingReader{rd: rd, drops: drops, done: make(chan struct{})}, nil
}

// Start calls fn with each record, in order, from a new goroutine, until
// Close or until fn returns an error. The record's bytes are only valid
// during the call. fn must not call Close (Close waits for fn).
func (r *RingReader) Start(fn func(record []byte) error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.stopping {
		return errors.New("RingReader: Start after Start or Close")
	}
	r.started = true
	go func() {
		defer close(r.done)
		r.readErr = r.read(fn)
	}()
	return nil
}

// Done is closed when the goroutine Start began stops: after Close, or
// early when fn or a read fails (Close then returns the error).
func (r *RingReader) Done() <-chan struct{} { return r.done }

func (r *RingReader) read(fn func(record []byte) error) error {
	var rec ringbuf.Record
	for {
		err := r.rd.ReadInto(&rec)
		switch {
		case err == nil:
			if err := fn(rec.RawSample); err != nil {
				return err
			}
		case errors.Is(err, ringbuf.ErrFlushed):
			r.mu.Lock()
			stop := r.stopping
			if r.synced != nil {
				close(r.synced)
				r.synced = nil
			}
			r.mu.Unlock()
			if stop {
				return nil
			}
		default:
			return fmt.Errorf("reading ring buffer: %w", err)
		}
	}
}

// Sync returns once every record that was in the buffer when it was
// called has been delivered to fn (or the reading goroutine has stopped).
// A REPL uses it so that the output of a command's events is printed
// before its next prompt.
func (r *RingReader) Sync() error {
	r.syncMu.Lock()
	defer r.syncMu.Unlock()
	r.mu.Lock()
	if !r.started || r.stopping {
		r.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	r.synced = ch
	r.mu.Unlock()
	if err := r.rd.Flush(); err != nil {
		return err
	}
	select {
	case <-ch:
	case <-r.done:
	}
	return nil
}

// Close stops reading once every record already in the buffer has been
// delivered (so events sent before an END probe ran are not lost), waits for
// the reading goroutine, and releases the reader. It returns the error that
// stopped fn early, if any. It may be called more than once.
func (r *RingReader) Close() error {
	r.closeOnce.Do(func() {
		r.mu.Lock()
		r.stopping = true
		started := r.started
		r.mu.Unlock()
		var errs []error
		if started {
			errs = append(errs, r.rd.Flush())
			<-r.done
			errs = append(errs, r.readErr)
		}
		errs = append(errs, r.rd.Close())
		r.closeErr = errors.Join(errs...)
	})
	return r.closeErr
}

// Dropped returns how many events the BPF programs failed to send because
// the ring buffer was full, summed over CPUs. It is 0 without a drops map.
func (r *RingReader) Dropped() (uint64, error) {
	if r.drops == nil {
		return 0, nil
	}
	var perCPU []uint64
	if err := r.drops.Lookup(uint32(0), &perCPU); err != nil {
		return 0, fmt.Errorf("reading %s: %w", codegen.DropsName, err)
	}
	var total uint64
	for _, n := range perCPU {
		total += n
	}
	return total, nil
}
