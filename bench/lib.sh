# Shell functions shared by the bench scripts (sourced, not run).

# stop PID: end a tracer with SIGINT, as a user would, and wait for it.
# The signal is repeated until the tracer exits: one sent before the tracer
# has set up its handler is lost (a background job starts with SIGINT
# ignored). After 30 seconds it is killed.
stop() {
	local p=$1
	for _ in $(seq 60); do
		kill -INT "$p" 2>/dev/null || break
		sleep 0.5
		kill -0 "$p" 2>/dev/null || break
	done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" || true
}

# need_gbt_bpftool: stop unless bin/gbt is built and bpftool is installed.
need_gbt_bpftool() {
	if [ ! -x bin/gbt ]; then
		echo "bin/gbt missing: run make build" >&2
		exit 1
	fi
	if ! command -v bpftool >/dev/null 2>&1; then
		echo "bpftool missing: apt-get install bpftool" >&2
		exit 1
	fi
}
