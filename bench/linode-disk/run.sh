#!/usr/bin/env bash
# Benchmark of the Linode disk road (ferry issue 14). Prints figures; not a test.
#
# The realistic 8 GiB Ubuntu instance of the sandbox (GPT, BIOS boot, ESP, ext4 root with a few hundred MiB
# written, stored sparse) is moved by `java @cli/src/dist/lib/jvm.options -jar cli/target/ferry.jar apply --auto-approve`
# (the options bin/ferry runs ferry with) with
# target.linode.via: disk: the snapshot's written blocks read from the sandbox's EBS direct endpoint, gzipped
# in 32 MiB chunks into `gunzip | dd` on the sandbox's helper Linode over SSH (Apache MINA SSHD on both ends),
# each chunk read back through sha256sum. Timed from outside (/usr/bin/time: wall, CPU, peak RSS of ferry's
# JVM), next to `pigz -p 2 -6 -c` of the same raw file, RUNS times each, medians and the ratio printed. The
# sandbox runs in the bench's JVM with its clock at 0, sharing the machine's cores with ferry, as it plays both
# clouds and the helper; the disk's SHA-256 on the Linode side is compared with the source's after run 1.
#
# Usage: bench/linode-disk/run.sh [RUNS]   (default 3; builds ferry.jar and the test classes first)
# BENCH_JAVA_OPTS, when set, goes after them (one that chooses a collector leaves the launchers' options out, as
# FERRY_JAVA_OPTS does), to compare JVM settings by the same figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-3}"
out="bench/out/linode-disk"
mkdir -p "$out"
command -v pigz >/dev/null 2>&1 || { echo "missing pigz (apt-get install pigz)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "missing /usr/bin/time (apt-get install time)" >&2; exit 1; }
mvn -B -ntp -q -pl cli -am package -DskipTests dependency:build-classpath \
    -Dmdep.outputFile="$PWD/$out/cli.classpath" -Dmdep.includeScope=test
cp="cli/target/test-classes:cli/target/classes:$(cat "$out/cli.classpath")"
java -Xmx1g -cp "$cp" dev.ferry.cli.e2e.DiskRoadBench cli/target/ferry.jar "$out/work" "$runs"
