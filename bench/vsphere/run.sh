#!/usr/bin/env bash
# Times disk image inspection (a 100 GiB OVA, headers and footers only) and the file opener's
# parallel ranged reads. Prints figures; asserts nothing.
#   bench/vsphere/run.sh [STREAM_MIB=1024] [PART_MIB=64] [THREADS=4]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# one reactor, so the engine resolves to its freshly compiled classes (nothing is installed in ~/.m2)
mvn -q -B -ntp -DskipTests test-compile dependency:build-classpath -pl providers/vsphere -am \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/vsphere-bench.cp >/dev/null
classpath="providers/vsphere/target/test-classes:providers/vsphere/target/classes:$(cat providers/vsphere/target/vsphere-bench.cp)"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
java -cp "$classpath" dev.ferry.provider.vsphere.bench.ImageBenchmark "${1:-1024}" "${2:-64}" "${3:-4}"
