#!/usr/bin/env bash
# Program sizes, gbt against bpftrace: each script is started with each tool
# and, while it runs, the size of every BPF program the tool holds is read
# with `bpftool prog show` (xlated bytes: the program as the kernel keeps it
# after verification, which is what both tools hand the kernel, rewritten
# the same way). The programs of a process are found through the prog_id
# lines of /proc/PID/fdinfo.
#
# Usage: bench/progsize.sh [-v]     (as root; run `make build` first)
#
# One row per script: the total xlated bytes of its probe programs for each
# tool and their ratio (target: gbt <= bpftrace, ratio <= 1). BEGIN and END
# programs are left out of the totals because the tools run them in
# different ways (bpftrace: uprobes on itself, gbt: raw tracepoint programs
# run once with BPF_PROG_TEST_RUN); -v lists every program, those included.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

verbose=false
[ "${1:-}" = -v ] && verbose=true

need_gbt_bpftool
have_bpftrace=true
command -v bpftrace >/dev/null 2>&1 || have_bpftrace=false
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing
fi

tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# The scripts: name and source. Only syntax both tools accept (args->x).
names=(count_comm sum_pred hist_ret hist_comm avg_key printf_str two_probes)
declare -A scripts=(
	[count_comm]='tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }'
	[sum_pred]='tracepoint:syscalls:sys_enter_read /comm == "workload"/ { @bytes = sum(args->count); }'
	[hist_ret]='tracepoint:syscalls:sys_exit_read { @ret = hist(args->ret); }'
	[hist_comm]='tracepoint:syscalls:sys_exit_read { @[comm] = hist(args->ret); }'
	[avg_key]='tracepoint:syscalls:sys_exit_read /args->ret > 0/ { @avg[pid, comm] = avg(args->ret); }'
	[printf_str]='tracepoint:syscalls:sys_enter_openat { printf("%d %s %s\n", pid, comm, str(args->filename)); }'
	[two_probes]='BEGIN { @start = nsecs; } tracepoint:syscalls:sys_enter_getppid { @n = count(); @last = nsecs - @start; } END { printf("%d\n", @last); }'
)

# prog_ids PID: the ids of the BPF programs PID holds, one a line, sorted
# (a bpf_link's fdinfo names its program too, hence -u).
prog_ids() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		awk '$1 == "prog_id:" { print $2 }' "$f" 2>/dev/null || true
	done | sort -nu
}

# wait_loaded PID WORD: wait until the tool has said WORD on its stdout or
# stderr (gbt says "Attached" once every probe is attached, bpftrace
# "Attaching" before it loads them) and its set of programs has stayed the
# same for three looks in a row.
wait_loaded() {
	local p=$1 word=$2 prev='' cur same=0
	for _ in $(seq 300); do
		if ! kill -0 "$p" 2>/dev/null; then
			echo "tool exited early: $(cat "$tmp/err")" >&2
			return 1
		fi
		if grep -q "$word" "$tmp/out" "$tmp/err"; then
			cur=$(prog_ids "$p" | tr '\n' ' ')
			if [ -n "$cur" ] && [ "$cur" = "$prev" ]; then
				same=$((same + 1))
				[ "$same" -ge 2 ] && return 0
			else
				same=0
			fi
			prev=$cur
		fi
		sleep 0.1
	done
	echo "timed out waiting for the programs to load" >&2
	return 1
}

# sizes TOOL SCRIPT: run SCRIPT with TOOL and print "TYPE NAME XLATED" for
# each program it loaded.
sizes() {
	local tool=$1 script=$2 word id
	case $tool in
	gbt)
		bin/gbt -e "$script" >"$tmp/out" 2>"$tmp/err" &
		word=Attached
		;;
	bpftrace)
		bpftrace -e "$script" >"$tmp/out" 2>"$tmp/err" &
		word=Attaching
		;;
	esac
	pid=$!
	wait_loaded "$pid" "$word"
	for id in $(prog_ids "$pid"); do
		bpftool prog show id "$id" | awk '
			NR == 1 { type = $2; name = "-"; for (i = 3; i < NF; i++) if ($i == "name") name = $(i + 1) }
			$1 == "xlated" { sub(/B$/, "", $2); xlated = $2 }
			END { print type, name, xlated }'
	done
	stop "$pid"
	pid=
}

# probe_total: sum the xlated bytes of the programs on stdin that are not
# BEGIN or END ones.
probe_total() {
	awk '$2 != "BEGIN" && $2 != "END" && $2 !~ /^(BEGIN|END)_/ { s += $3 } END { print s + 0 }'
}

printf '%-12s %10s %10s %7s\n' script gbt bpftrace ratio
for name in "${names[@]}"; do
	script=${scripts[$name]}
	sizes gbt "$script" >"$tmp/gbt.sizes"
	g=$(probe_total <"$tmp/gbt.sizes")
	b=-
	ratio=-
	if $have_bpftrace; then
		sizes bpftrace "$script" >"$tmp/bpftrace.sizes"
		b=$(probe_total <"$tmp/bpftrace.sizes")
		ratio=$(awk -v g="$g" -v b="$b" 'BEGIN { if (b > 0) printf "%.3f", g / b; else print "-" }')
	fi
	printf '%-12s %9sB %9sB %7s\n' "$name" "$g" "$b" "$ratio"
	if $verbose; then
		echo "    $script"
		sed 's/^/    gbt      /' "$tmp/gbt.sizes"
		if $have_bpftrace; then sed 's/^/    bpftrace /' "$tmp/bpftrace.sizes"; fi
	fi
done
