#!/usr/bin/env bash
# Per-event overhead, gbt against bpftrace: a workload that calls getppid(2)
# N times is timed bare, then while gbt counts the calls, then while
# bpftrace counts them, all in the same run of this script:
#
#   tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }
#
# Each tracer is started, the script waits until its program is attached,
# the workload runs RUNS times under bench/measure, the program's own
# run time is read, and the tracer is stopped with SIGINT; its map must
# then show exactly RUNS * N calls by the workload (built as bench-getppid,
# a name no other program has), which proves every
# measured call was traced. The three phases are repeated ROUNDS times, so
# that a quieter or busier spell of the machine falls on all of them, and
# the runs of each are pooled.
#
# Usage: bench/overhead.sh [N [RUNS [ROUNDS]]]
#        (as root; default N=200000, RUNS=3, ROUNDS=4; `make build` first)
#
# Two figures per tracer:
#   workload ns/event  (traced - bare) / N from the median CPU time (user +
#                      system) of the workload, where the tracepoint and
#                      its BPF program are charged; the same from the
#                      median wall time is shown too, but wall time also
#                      moves with whatever else the machine is doing.
#   bpf ns/run         the program's own run time per run as the kernel
#                      counts it (kernel.bpf_stats_enabled, switched on for
#                      the run and restored after): the part of the cost
#                      that the tool's code generation decides, without
#                      the tracepoint's fixed cost, which both tools share.
# Other tracers attached to sys_enter_getppid at the same time (bpftool perf
# show lists them) slow every run alike, bare ones included; the script
# names them.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

n=${1:-200000}
runs=${2:-3}
rounds=${3:-4}
script='tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }'

need_gbt_bpftool
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing
fi

tmp=$(mktemp -d)
pid=
stats_before=$(cat /proc/sys/kernel/bpf_stats_enabled)
cleanup() {
	if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
	echo "$stats_before" >/proc/sys/kernel/bpf_stats_enabled
	rm -rf "$tmp"
}
trap cleanup EXIT
echo 1 >/proc/sys/kernel/bpf_stats_enabled
go build -o "$tmp/measure" ./bench/measure
# The workload gets a name of its own: tests running at the same time may
# run testdata/workload too, and their calls must not count as ours.
wl=$tmp/bench-getppid
go build -o "$wl" ./testdata/workload

# prog_of PID: the id of PID's program on sys_enter_getppid, if any.
prog_of() {
	bpftool perf show 2>/dev/null | awk -v p="$1" '$1 == "pid" && $2 == p && /sys_enter_getppid/ { print $6; exit }'
}

# others: the other processes with a program on sys_enter_getppid.
others() {
	bpftool perf show 2>/dev/null | awk '/sys_enter_getppid/ { print $2 }' | sort -u | tr '\n' ' '
}

# measure LABEL: time the workload; one raw line per run.
measure() {
	"$tmp/measure" -n "$runs" -format raw -name "$1" -- "$wl" getppid "$n" >>"$tmp/runs"
}

# traced LABEL TOOL: start TOOL counting the tracepoint, time the workload
# under it, record its program's run time, stop it and check its count.
traced() {
	local label=$1 tool=$2 want=$((runs * n)) id='' got
	"$tool" -e "$script" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for _ in $(seq 300); do
		id=$(prog_of "$pid")
		[ -n "$id" ] && break
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "$tool exited early: $(cat "$tmp/err")" >&2
			exit 1
		fi
		sleep 0.1
	done
	if [ -z "$id" ]; then
		echo "$tool: probe not attached after 30s" >&2
		exit 1
	fi
	measure "$label"
	bpftool prog show id "$id" | awk -v l="$label" '
		{ for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t = $(i + 1); if ($i == "run_cnt") c = $(i + 1) } }
		END { printf "%s\t%d\t%d\n", l, t, c }' >>"$tmp/bpf"
	stop "$pid"
	pid=
	got=$(awk '$1 == "@[bench-getppid]:" { print $2 }' "$tmp/out")
	if [ "$got" != "$want" ]; then
		echo "$tool counted ${got:-no} getppid calls by the workload, want $want" >&2
		exit 1
	fi
}

tools=(gbt)
command -v bpftrace >/dev/null 2>&1 && tools+=(bpftrace)
echo "getppid x $n, $runs runs x $rounds rounds each; other tracers of sys_enter_getppid: pids $(others)"
: >"$tmp/runs"
: >"$tmp/bpf"
for _ in $(seq "$rounds"); do
	measure bare
	traced gbt bin/gbt
	if [ ${#tools[@]} -gt 1 ]; then traced bpftrace bpftrace; fi
done

# $tmp/runs: label wall_ns cpu_ns rss_kib, one line per run.
# $tmp/bpf: label run_time_ns run_cnt, one line per traced phase.
awk -F'\t' -v n="$n" -v order="bare ${tools[*]}" '
	function median(a, k,    i, j, t) {
		for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	function q(x, y) { return y > 0 ? sprintf("%.3f", x / y) : "n/a" }
	FILENAME ~ /bpf$/ { bt[$1] += $2; bc[$1] += $3; next }
	{ k = ++cnt[$1]; w[$1, k] = $2; c[$1, k] = $3 }
	END {
		m = split(order, labels, " ")
		for (i = 1; i <= m; i++) {
			l = labels[i]
			delete a; for (k = 1; k <= cnt[l]; k++) a[k] = w[l, k]; mw[l] = median(a, cnt[l])
			delete a; for (k = 1; k <= cnt[l]; k++) a[k] = c[l, k]; mc[l] = median(a, cnt[l])
		}
		printf "%-10s %5s %12s %12s %12s %12s %12s\n", "run", "runs", "wall median", "cpu median", "wall ns/ev", "cpu ns/ev", "bpf ns/run"
		for (i = 1; i <= m; i++) {
			l = labels[i]
			printf "%-10s %5d %10.1fms %10.1fms", l, cnt[l], mw[l] / 1e6, mc[l] / 1e6
			if (l == "bare") { printf " %12s %12s %12s\n", "-", "-", "-"; continue }
			ow[l] = (mw[l] - mw["bare"]) / n; oc[l] = (mc[l] - mc["bare"]) / n
			br[l] = bc[l] ? bt[l] / bc[l] : 0
			printf " %12.1f %12.1f %12.1f\n", ow[l], oc[l], br[l]
		}
		if (m == 3) {
			printf "ratio gbt/bpftrace per event:"
			printf "  wall=%s  cpu=%s  bpf=%s\n", q(ow["gbt"], ow["bpftrace"]), q(oc["gbt"], oc["bpftrace"]), q(br["gbt"], br["bpftrace"])
		}
	}' "$tmp/runs" "$tmp/bpf"
