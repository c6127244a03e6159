// Package codegen turns a checked program into an Object: eBPF instructions
// emitted directly with cilium/ebpf's asm package, plus the map, format and
// attach tables the runtime needs. It never touches the kernel.
package codegen
