#!/usr/bin/env bash
# Run this tree's benchmarks in two checkouts back to back on one machine, to compare their ratios.
#
#   bench/compare.sh BEFORE AFTER [NAME ...]     e.g. bench/compare.sh /work/wt/before /work/main relay plan_drift
#
# BEFORE and AFTER are checkouts with their environment installed (`make .venv/.installed`). The
# benchmarks of THIS tree (bench/*.py) are copied into each as <checkout>/.bench-compare/, so both
# are measured the same way (the copies are removed at the end); in a checkout whose kernel is not in rooms yet (before issue 17: no
# shared/src/continuum/persistence/) their imports are rewritten to the old flat modules. NAME: the
# benchmarks to run (bench_<NAME>.py; all when none given). For each benchmark BEFORE runs, then
# AFTER; each prints its summary lines, and each report is kept in <checkout>/.continuum/bench-compare/.
# BENCH_ROUNDS, BENCH_SECONDS and the benchmarks' other variables pass through.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
[ $# -ge 2 ] || { sed -n '2,13p' "$0"; exit 2; }
before="$(cd "$1" && pwd)"; after="$(cd "$2" && pwd)"; shift 2
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($(cd "$here" && ls bench_*.py | sed 's/^bench_//; s/\.py$//'))

# The kernel's rooms (issue 17) back to the flat modules of before, one import at a time.
OLD_PATHS='
s/from continuum\.casework import clock/from continuum import clock/
s/continuum\.casework\.principal import/continuum.auth import/
s/continuum\.casework\.\(calendar\|clock\|policy\)\b/continuum.\1/g
s/continuum\.contracts\.codes\b/continuum.codes/g
s/continuum\.messaging\.\(relay\|consumer\|kafka\|dlq\|supervise\|broker_probe\)\b/continuum.\1/g
s/continuum\.persistence\.read_budget\b/continuum.ratelimit/g
s/continuum\.persistence\.\(db\|uow\|idempotency\|child_copy\)\b/continuum.\1/g
s/continuum\.web\.app\b/continuum.service_app/g
s/continuum\.web\.\(auth\|http\|errors\|access\|limits\|pagination\|permissions\|requests\|server\)\b/continuum.\1/g
s/continuum_tools\.\(devstack\|testing\|cli\)\b/continuum.\1/g
'

install() {  # $1: checkout
    local dest="$1/.bench-compare"
    [ -x "$1/.venv/bin/python" ] || { echo "$1: no .venv (run make .venv/.installed there)" >&2; exit 2; }
    rm -rf "$dest" && mkdir -p "$dest" "$1/.continuum/bench-compare"
    cp "$here"/*.py "$dest/"
    if [ ! -d "$1/shared/src/continuum/persistence" ]; then
        sed -i "$OLD_PATHS" "$dest"/*.py
        echo "$1: the kernel before its rooms; the benchmarks' imports rewritten to the flat modules"
    fi
}

trap 'rm -rf "$before/.bench-compare" "$after/.bench-compare"' EXIT
install "$before"
install "$after"
echo "before: $before ($(git -C "$before" log -1 --format='%h %s' | cut -c1-70))"
echo "after:  $after ($(git -C "$after" log -1 --format='%h %s' | cut -c1-70))"
for name in "${names[@]}"; do
    for tree in "$before" "$after"; do
        label=$([ "$tree" = "$before" ] && echo before || echo after)
        log="$tree/.continuum/bench-compare/bench_$name.log"
        echo "bench_$name, $label (report: $log)"
        if (cd "$tree" && .venv/bin/python ".bench-compare/bench_$name.py") >"$log" 2>&1; then
            grep '^==' "$log" | sed "s/^==/  $label:/" || true
        else
            echo "  $label: FAILED; the end of its report:"; tail -15 "$log" | sed 's/^/    /'
        fi
    done
done
