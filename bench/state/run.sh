#!/usr/bin/env bash
# Times the state write after each apply step at 7,000 resources with state in files (fsync per write), for this tree
# and, when REF is given, for that commit too (its files unpacked and built in a temporary folder), so before and after print side by side.
#   bench/state/run.sh [RESOURCES=7000] [MIGRATIONS=1000] [STEPS=300] [REF]
# Figures depend on the disk's fsync; the state goes to a temporary folder beside this repository (its disk).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
resources="${1:-7000}"; migrations="${2:-1000}"; steps="${3:-300}"; ref="${4:-}"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
run() { # TREE LABEL
    local tree="$1"
    (cd "$tree" && mvn -q -B -ntp -o -Dstyle.color=never compile -pl engine >/dev/null \
        && mvn -q -B -ntp -o -Dstyle.color=never dependency:build-classpath -pl engine -Dmdep.outputFile=target/state-bench.cp >/dev/null) 2>&1 | sed "s/\x1b\[[0-9;]*m//g"
    local dir; dir="$(mktemp -d "$root/target/state-bench.XXXXXX")"
    java -Xmx2g -cp "$tree/engine/target/classes:$(cat "$tree/engine/target/state-bench.cp")" \
        "$root/bench/state/StateWriteBenchmark.java" "$resources" "$migrations" "$steps" "$dir"
    rm -rf "$dir"
}
mkdir -p "$root/target"
if [ -n "$ref" ]; then
    before="$(mktemp -d /tmp/ferry-state-bench-ref.XXXXXX)"
    trap 'rm -rf "$before"' EXIT
    git -C "$root" archive "$ref" | tar -x -C "$before"
    echo "== $ref"
    run "$before"
fi
echo "== $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' (with uncommitted changes)')"
run "$root"
# The floor on this disk: one bare 3 KB write + fsync + rename + folder fsync, the least an atomic durable write costs.
java "$root/bench/state/FsyncFloor.java" "$root/target/state-bench-floor" && rm -rf "$root/target/state-bench-floor"
