// Package codegen turns a checked program into an Object: eBPF instructions
// emitted directly with cilium/ebpf's asm package, plus the map, format and
// attach tables the runtime needs. It never touches the kernel: what it
// needs to know about the kernel (tracepoint layouts, wildcard expansion)
// arrives through KernelInfo, and everything only known at run time (boot
// time, the number of CPUs) is read by the programs from a config map that
// the runtime fills.
//
// Compile reads top to bottom as its pass list: expand each attach point
// into concrete programs (probes.go), emit each program (one gen per
// program), lay out the maps the programs used (maps.go).
//
// Emission is a single walk over the typed tree. Scalar values (integers,
// booleans, pointers, ids) are temps held by a small register allocator
// (regalloc.go) in the callee-saved registers R6-R9, which helper calls
// preserve; when they run out, the least recently used temp is spilled to
// an 8-byte stack slot and reloaded when used, so expressions of any depth
// compile. R0-R5 are scratch registers an emitter uses only between its own
// instructions. Before code that branches around evaluations (ternaries,
// && and || as values) the live temps are spilled, so both paths leave the
// registers alike. Strings and tuples live in stack buffers laid out as
// the runtime decodes them (Layout: integers 8 bytes, strings their size,
// tuples element by element, 8-aligned); the stack frame (stack.go) gives
// variables a slot for the whole program and everything else a region that
// is released when its statement ends, and reports programs that need more
// than the kernel's 512 bytes.
//
// Jumps name labels and map loads name maps (asm references); no offset
// is computed here. Each instruction carries its statement's source as an
// asm.Comment "line:col text", which the listing prints and the runtime
// uses to point verifier errors at the script. After emission, jumps to
// the next instruction and unreachable code (after return or exit) are
// dropped.
//
// Builtins are one table (builtins.go), keyed by stdlib entry name, with
// one emitter per builtin; a test asserts it covers the stdlib catalogue.
// An entry without an emitter is refused at its use with "builtin X is not
// implemented yet", as is any construct the code generator does not
// support: Compile returns positioned diagnostics rather than a wrong
// program.
//
// Beyond expressions and maps: loops (while and for-range as bounded
// backward jumps, unroll by repetition, loops.go), histograms (hist.go:
// counters per bucket, laid out as the runtime's printer indexes them),
// members of kernel structs through BTF (records.go, Options.Types), and
// #define, enum and #include constants (consts.go).
//
// User space (UserInfo, kernel.go): uprobe wildcards expand over the
// binary's function symbols, and a usdt probe compiles into one program
// per location, its arguments lowered from the SDT note's locations
// (registers, memory, constants, globals; usdt.go). kstack and ustack are
// ids in stack trace maps, usym and func in user probes the address and
// the pid, and the first user stack or symbol of a process tells user
// space to read its memory map (stacks.go, symbols.go). kaddr, uaddr and
// cpid depend on the host: the programs read them from config slots the
// runtime fills, so the Object stays free of addresses.
//
// Maps are iterated (for ($kv : @map), len) with bpf_for_each_map_elem
// and a callback subprogram whose body reads the probe's context and
// variables through the callback's context pointer (callbacks.go).
// Programs too big for the 512-byte stack, such as those with strings of
// max_strlen 1024, are emitted again with their frame in a per-CPU map
// addressed through R9 (bigframe.go). buf() values are length-prefixed
// buffers (buffers.go); join and cat are records user space finishes
// (join.go, printf.go); a record the full ring buffer refuses is counted
// in a drops map the runtime reports at exit (events.go).
//
// Semantics follow bpftrace 0.17: integers are 64-bit in registers,
// sign- or zero-extended from their type; /, % and >> are unsigned 64-bit
// operations and division or modulo by zero gives 0; comparisons are
// signed only when both operands are; aggregations live in per-CPU hash
// maps (layouts in Map.Agg) and printf, exit, print, clear, zero, time,
// join and cat are records in a ring buffer (events.go).
package codegen
