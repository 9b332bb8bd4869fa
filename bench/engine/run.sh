#!/usr/bin/env bash
# Times the engine on N in-memory resources with random dependencies: plan, graph build, apply walk,
# with state in memory and in a file. Prints figures; asserts nothing.
#   bench/engine/run.sh [RESOURCES=10000] [ROUNDS=5] [STORES=none,memory,file]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mvn -q -B -ntp -DskipTests test-compile -pl engine -am >/dev/null
mvn -q -B -ntp dependency:build-classpath -pl engine -Dmdep.includeScope=test -Dmdep.outputFile=target/engine-bench.cp >/dev/null
mkdir -p target
classpath="engine/target/test-classes:engine/target/classes:$(cat engine/target/engine-bench.cp 2>/dev/null || cat target/engine-bench.cp)"
nproc_text="$(nproc) cores"
echo "machine: $nproc_text, $(java -version 2>&1 | head -1)"
java -Xmx2g -cp "$classpath" dev.ferry.engine.bench.EngineBenchmark "${1:-10000}" "${2:-5}" ${3:+"$3"}
