#!/usr/bin/env bash
# Start-up cost, gbt against bpftrace: wall time from exec to exit, CPU time
# (user + system) and peak resident memory, over RUNS runs of each tool
# (default 10), the two tools' runs interleaved.
#
# Usage: bench/startup.sh [RUNS]     (as root; run `make build` first)
#
# Two scripts:
#   begin   BEGIN { exit(); }
#           one program, run once: the fixed cost of a trace (parse,
#           compile, load, tear down).
#   three   a tracepoint, an interval whose first tick exits, and END:
#           three programs of three kinds, two of them attached, plus a map
#           and the printf stream.
# The "ratio gbt/bpftrace" lines are the figures the targets are about
# (wall <= 0.1, maxrss <= 0.2). bpftrace is measured only when installed.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/measure" ./bench/measure

if [ ! -x bin/gbt ]; then
	echo "bin/gbt missing: run make build" >&2
	exit 1
fi
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing
fi

declare -A scripts=(
	[begin]='BEGIN { exit(); }'
	[three]='tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); } interval:ms:1 { exit(); } END { printf("done\n"); }'
)
for name in begin three; do
	script=${scripts[$name]}
	echo "== $name: $script"
	if command -v bpftrace >/dev/null 2>&1; then
		"$tmp/measure" -n "$runs" -name gbt -name "bpftrace $(bpftrace --version | cut -d' ' -f2)" -- \
			bin/gbt -q -e "$script" ::: bpftrace -q -e "$script"
	else
		"$tmp/measure" -n "$runs" -name gbt -- bin/gbt -q -e "$script"
		echo "bpftrace not installed: skipped"
	fi
done
