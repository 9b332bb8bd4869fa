#!/usr/bin/env bash
# How long the sandbox takes to start with its default world (the goal is under 2 s), measured in fresh
# JVMs: Sandbox.start to a listening server, and to the first answered EC2 and Linode requests.
# Usage: bench/sandbox-startup.sh [runs]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
mkdir -p bench/out
mvn -B -ntp -q -pl sandbox compile dependency:build-classpath \
    -Dmdep.outputFile="$PWD/bench/out/sandbox.classpath" -Dmdep.includeScope=runtime
cp="sandbox/target/classes:$(cat bench/out/sandbox.classpath)"
javac -d bench/out -cp "$cp" bench/SandboxStartup.java
results=()
for i in $(seq 1 "$runs"); do
    line=$(java -cp "bench/out:$cp" SandboxStartup)
    echo "run $i: $line (ms)"
    results+=("$(sed -E 's/.*start=([0-9.]+).*/\1/' <<<"$line")")
done
printf '%s\n' "${results[@]}" | sort -n | awk '
    { v[NR] = $1 }
    END { printf "sandbox start with the default world over %d fresh JVMs: min %.1f ms, median %.1f ms, max %.1f ms\n",
          NR, v[1], (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR] }'
