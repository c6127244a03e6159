package runtime

import (
	"os"
	"sync"
	"syscall"
)

// fileCache keeps what was read from files (symbol tables, debug
// information), per path and version of the file: a file replaced or
// rewritten in place (other device, inode, modification time or size) is
// read again, so the cache never serves stale data.
type fileCache[T any] struct {
	mu sync.Mutex
	m  map[fileKey]T
}

type fileKey struct {
	path        string
	dev, ino    uint64
	mtime, size int64
}

// get returns what read gives for the file at path, from the cache when
// this version of the file was read before. Errors are not cached.
func (c *fileCache[T]) get(path string, read func(string) (T, error)) (T, error) {
	var zero T
	st, err := os.Stat(path)
	if err != nil {
		return zero, err
	}
	key := fileKey{path: path, mtime: st.ModTime().UnixNano(), size: st.Size()}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		key.dev, key.ino = sys.Dev, sys.Ino
	}
	c.mu.Lock()
	v, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	if v, err = read(path); err != nil {
		return zero, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[fileKey]T{}
	}
	c.m[key] = v
	c.mu.Unlock()
	return v, nil
}
