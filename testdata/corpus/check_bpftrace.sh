#!/usr/bin/env bash
# Validate the corpus with the real bpftrace as an oracle.
#
# Usage: check_bpftrace.sh [file.bt ...]   (default: every *.bt here)
#
# Each script is run through `bpftrace -d` (dry run: parse, semantic
# analysis and code generation, nothing is attached). bpftrace before 0.19
# treats `args` as a pointer, so when the installed bpftrace is older the
# script is first rewritten from `args.field` to `args->field`. Scripts
# listed in README.md as needing a newer bpftrace are reported as SKIP.
# Exit status is non-zero when any other script fails.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
if ! command -v bpftrace >/dev/null; then
	echo "bpftrace not installed" >&2
	exit 2
fi
if [ ! -e /sys/kernel/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
fi

version=$(bpftrace --version | sed -n 's/^bpftrace v\{0,1\}\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
read -r major minor <<<"$version"
legacy_args=0
if [ "$major" -eq 0 ] && [ "$minor" -lt 19 ]; then
	legacy_args=1
fi

# Scripts README.md lists under "needs bpftrace >= 0.18" (first column).
newer=$(sed -n '/^<!-- newer:begin -->/,/^<!-- newer:end -->/s/^| `\([^`]*\.bt\)`.*/\1/p' README.md)

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
	files=(*.bt)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0
for f in "${files[@]}"; do
	name=$(basename "$f")
	if [ "$legacy_args" -eq 1 ] && grep -qx "$name" <<<"$newer"; then
		echo "SKIP $name (needs a newer bpftrace)"
		skip=$((skip + 1))
		continue
	fi
	src="$f"
	if [ "$legacy_args" -eq 1 ]; then
		src="$tmp/$name"
		sed 's/\bargs\./args->/g' "$f" >"$src"
	fi
	if out=$(bpftrace -d "$src" 2>&1 >/dev/null); then
		echo "ok   $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name"
		grep -v 'RLIMIT_MEMLOCK' <<<"$out" | sed 's/^/     /'
		fail=$((fail + 1))
	fi
done
echo "bpftrace check: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
