package runtime

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// The listers of the kernel's probe kinds.

// listTracepoints lists tracepoints as "tracepoint:group:event", with
// their fields (common fields left out) when verbose.
func listTracepoints(o *ListOptions, kind, rest string) ([]ListedProbe, error) {
	fs, err := o.tracefs()
	if err != nil {
		return nil, err
	}
	all, err := fs.Tracepoints()
	if err != nil {
		return nil, err
	}
	matched := matching(rest, all)
	out := named(kind, matched)
	if o.Verbose {
		for i, tp := range matched {
			group, event, _ := strings.Cut(tp, ":")
			if out[i].Args, err = fs.tracepointArgs(group, event); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// tracepointArgs returns the declarations of a tracepoint's fields as its
// format file writes them ("const char * filename"), leaving out the
// common fields, which come before the file's first empty line.
func (t *Tracefs) tracepointArgs(group, event string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(t.Dir, "events", group, event, "format"))
	if err != nil {
		return nil, fmt.Errorf("tracepoint %s:%s: %w", group, event, err)
	}
	_, own, _ := bytes.Cut(data, []byte("\n\n"))
	var args []string
	sc := bufio.NewScanner(bytes.NewReader(own))
	for sc.Scan() {
		decl, ok := strings.CutPrefix(sc.Text(), "\tfield:")
		if !ok {
			continue
		}
		if i := strings.IndexByte(decl, ';'); i >= 0 {
			decl = decl[:i]
		}
		args = append(args, decl)
	}
	return args, sc.Err()
}

// listRawTracepoints lists the raw tracepoints the kernel's BTF knows, as
// "rawtracepoint:module:event" (current bpftrace's form; 0.17 had none).
// Verbose
// listings show the tracepoint's arguments from BTF.
func listRawTracepoints(o *ListOptions, kind, rest string) ([]ListedProbe, error) {
	all, err := btfModuleNames(o.btfDir(), btfKindTypedef, "btf_trace_")
	if err != nil {
		return nil, err
	}
	sort.Strings(all)
	matched := matching(rest, all)
	out := named(kind, matched)
	if o.Verbose {
		err = o.describeBTF(matched, out, func(spec *btf.Spec, name string) ([]string, error) {
			return rawTracepointParams(spec, name)
		})
	}
	return out, err
}

// listFentry lists the kernel functions fentry and fexit can attach to, as
// "fentry:module:function", when the kernel can attach them at all.
// Verbose listings show each function's parameters and, for fexit, its
// return value as "retval".
func listFentry(o *ListOptions, kind, rest string) ([]ListedProbe, error) {
	if o.fentry() != nil {
		return nil, nil
	}
	all, err := btfModuleNames(o.btfDir(), btfKindFunc, "")
	if err != nil {
		return nil, err
	}
	sort.Strings(all)
	matched := matching(rest, slices.Compact(all))
	out := named(kind, matched)
	if o.Verbose {
		err = o.describeBTF(matched, out, func(spec *btf.Spec, name string) ([]string, error) {
			return funcArgs(spec, name, kind == "fexit")
		})
	}
	return out, err
}

// describeBTF fills in out[i].Args for each "module:name" of matched with
// describe, loading each module's BTF once.
func (o *ListOptions) describeBTF(matched []string, out []ListedProbe, describe func(*btf.Spec, string) ([]string, error)) error {
	dir := o.btfDir()
	specs := map[string]*btf.Spec{}
	for i, m := range matched {
		mod, name, _ := strings.Cut(m, ":")
		spec := specs[mod]
		if spec == nil {
			var err error
			if spec, err = loadBTF(dir, mod, specs); err != nil {
				return err
			}
			specs[mod] = spec
		}
		args, err := describe(spec, name)
		if err != nil {
			return err
		}
		out[i].Args = args
	}
	return nil
}

// loadBTF decodes the BTF of one module of dir, on top of vmlinux's,
// which it loads into specs first when needed.
func loadBTF(dir, mod string, specs map[string]*btf.Spec) (*btf.Spec, error) {
	base := specs["vmlinux"]
	if base == nil {
		var err error
		if base, err = btf.LoadSpec(filepath.Join(dir, "vmlinux")); err != nil {
			return nil, fmt.Errorf("loading the kernel's BTF: %w", err)
		}
		specs["vmlinux"] = base
	}
	if mod == "vmlinux" {
		return base, nil
	}
	spec, err := btf.LoadSplitSpec(filepath.Join(dir, mod), base)
	if err != nil {
		return nil, fmt.Errorf("loading the BTF of module %s: %w", mod, err)
	}
	return spec, nil
}

// funcArgs describes a kernel function's parameters, and with ret its
// return value as "type retval", as fentry and fexit programs see them.
func funcArgs(spec *btf.Spec, name string, ret bool) ([]string, error) {
	var fn *btf.Func
	if err := spec.TypeByName(name, &fn); err != nil {
		return nil, fmt.Errorf("function %s: %w", name, err)
	}
	proto, ok := fn.Type.(*btf.FuncProto)
	if !ok {
		return nil, fmt.Errorf("function %s has no prototype in BTF", name)
	}
	var out []string
	for _, p := range proto.Params {
		out = append(out, cDecl(p.Type, p.Name))
	}
	if ret {
		out = append(out, cDecl(proto.Return, "retval"))
	}
	return out, nil
}

// listPerfEvents lists the software or hardware perf events by name and
// short name, as "software:cpu-clock:" (the count left empty). Hardware
// events are listed even without a PMU, as bpftrace lists them.
func listPerfEvents(_ *ListOptions, kind, rest string) ([]ListedProbe, error) {
	events := softwareEvents
	if kind == "hardware" {
		events = hardwareEvents
	}
	pattern := strings.TrimSuffix(rest, ":")
	var out []ListedProbe
	for name := range events {
		if globMatch(pattern, name) {
			out = append(out, ListedProbe{Name: kind + ":" + name + ":"})
		}
	}
	return out, nil
}

// listKprobes lists the kernel functions kprobes can attach to, from
// tracefs's available_filter_functions, when the kernel has kprobes and
// lets that file be read; otherwise nothing, silently. A module's
// function is listed as "kprobe:module:function".
func listKprobes(o *ListOptions, kind, rest string) ([]ListedProbe, error) {
	if o.kprobes() != nil {
		return nil, nil
	}
	fs, err := o.tracefs()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(fs.Dir, "available_filter_functions"))
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	var all []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "vfs_read" or "ext4_sync_fs [ext4]"; a ".part.N" or ".cold"
		// copy of a function cannot be probed by name.
		fn, mod, hasMod := strings.Cut(sc.Text(), " ")
		if fn == "" || strings.Contains(fn, ".") {
			continue
		}
		if hasMod {
			fn = strings.Trim(mod, "[]") + ":" + fn
		}
		all = append(all, fn)
	}
	if err := sc.Err(); err != nil {
		return nil, nil
	}
	matched := matching(rest, all)
	return named(kind, matched), nil
}
