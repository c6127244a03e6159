#!/usr/bin/env bash
# Start-up cost of a trivial script, gbt against bpftrace: wall time from
# exec to exit and peak resident memory, over RUNS runs (default 10).
#
# Usage: bench/startup.sh [RUNS]     (as root; run `make build` first)
#
# Each tool runs `BEGIN { exit(); }`, which loads one program, runs it and
# exits, so the figure is the fixed cost of starting a trace: parsing,
# compiling, loading and tearing down. bpftrace is measured only when it is
# installed.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-10}
script='BEGIN { exit(); }'
measure=$(mktemp -d)/measure
trap 'rm -rf "$(dirname "$measure")"' EXIT
go build -o "$measure" ./bench/measure

if [ ! -x bin/gbt ]; then
	echo "bin/gbt missing: run make build" >&2
	exit 1
fi
"$measure" -n "$runs" -name gbt -- bin/gbt -q -e "$script"
if command -v bpftrace >/dev/null 2>&1; then
	"$measure" -n "$runs" -name "bpftrace $(bpftrace --version | cut -d' ' -f2)" -- \
		bpftrace -q -e "$script"
else
	echo "bpftrace not installed: skipped"
fi
