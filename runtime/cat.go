package runtime

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxCatBytes is how much of a file cat() prints, bpftrace's
// max_cat_bytes default.
const MaxCatBytes = 10240

// printCat handles an EventCat record: cat(fmt, args...) formats the path
// like printf, then prints up to MaxCatBytes of the file, in order with
// the other output. A file that cannot be read is reported on standard
// error, as bpftrace does, and the run goes on.
func (r *run) printCat(rec []byte, index uint32) error {
	if int(index) >= len(r.obj.Cats) {
		return fmt.Errorf("cat record with unknown format %d", index)
	}
	if r.catFormats == nil {
		r.catFormats = map[uint32]*Format{}
	}
	cf := r.obj.Cats[index]
	f := r.catFormats[index]
	if f == nil {
		var err error
		if f, err = NewFormat(cf.Format); err != nil {
			return fmt.Errorf("cat at %s: %w", cf.Pos, err)
		}
		r.catFormats[index] = f
	}
	args := make([]Value, len(cf.Args))
	for i, a := range cf.Args {
		args[i] = r.dec.field(rec, a)
	}
	path := string(f.Append(nil, args))
	data, err := readHead(path, MaxCatBytes)
	if err != nil {
		if w, ok := r.warn.Load().(io.Writer); ok {
			fmt.Fprintf(w, "ERROR: failed to open file '%s': %v\n", path, describeErr(err))
		}
		return nil
	}
	r.out.Cat(string(data))
	return nil
}

// readHead reads at most n bytes of the file at path.
func readHead(path string, n int64) ([]byte, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return io.ReadAll(io.LimitReader(file, n))
}

// describeErr is the C library's text for the usual errors.
func describeErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "Permission denied"
	}
	return err.Error()
}
