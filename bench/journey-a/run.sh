#!/usr/bin/env bash
# Journey A at scale, against the sandbox, with ferry run as a user runs it (java -jar cli/target/ferry.jar,
# a fresh JVM each time). Prints:
#
# (a) `ferry plan` of a generated file of PLAN_MIGRATIONS (default 200) migrations, against a sandbox whose
#     world file seeds as many EC2 instances: the API requests the plan made (the sandbox's request log, by
#     service and by action) and the wall time including JVM start, three runs.
#
# (b) `ferry apply --auto-approve` of APPLY_MIGRATIONS (default 20) migrations with the sandbox's clock scaled
#     by TIME_SCALE (default 1.0: an ExportImage takes 6 s, an AMI 3 s, a Linode image 2 s "creating", a Linode
#     3 s provisioning and booting; ferry polls at most every POLL_INTERVAL, default 500ms): the makespan (first
#     to last API request, the plan's reads included) and the lower bound AWS's limit allows, and their ratio.
#     Real exports take tens of minutes; a smaller TIME_SCALE makes ferry's fixed costs per step (a poll's lag,
#     the plan's reads, a fresh JVM on 2 cores) weigh more against the bound.
#
#     The bound: every migration needs its AMI before its export, its export before its Linode image, and its
#     image before its Linode; AWS runs at most 5 conversion tasks per region at once, so the 20 exports take
#     at least ceil(20/5) = 4 rounds of one export's duration. The earliest the last export can end is one AMI
#     plus 4 export durations after the start; its migration still needs its image processed and its Linode
#     booted. So makespan >= AMI + ceil(N/5) x export + Linode image + Linode, with the upload (S3 -> gzip ->
#     Linode) counted as 0 and every API call as instantaneous: a true lower bound, not an estimate.
#
# The sandbox runs inside the bench's own JVM (the same dev.ferry.sandbox.Sandbox that `ferry sandbox --world
# FILE` starts, from a generated world file) rather than as a background `ferry sandbox`, because its request
# log is read in-process; ferry itself talks to it over 127.0.0.1 like any client.
#
# Usage: bench/journey-a/run.sh            (builds ferry.jar and the test classes first; needs Maven and Java 17)
# Env:   PLAN_MIGRATIONS=200 APPLY_MIGRATIONS=20 TIME_SCALE=1.0 POLL_INTERVAL=500ms (ferry's FERRY_POLL_INTERVAL) PARALLELISM=10 TRACE=false
#        SHARDS=1 (more: (b) runs that many `ferry apply --shard I/N` processes at once on the one state, as a fleet does)
# The migrations take source.ec2.via: export, since the bound in (b) is made of AWS's conversion tasks.
set -euo pipefail
cd "$(dirname "$0")/../.."
plan_migrations="${PLAN_MIGRATIONS:-200}"
apply_migrations="${APPLY_MIGRATIONS:-20}"
time_scale="${TIME_SCALE:-1.0}"
out="bench/out/journey-a"
mkdir -p "$out"
# package builds cli/target/ferry.jar (and the test classes the bench main lives in); the classpath is the cli
# module's, test scope, with the sibling modules as the jars this reactor just built (never ~/.m2's)
mvn -B -ntp -q -pl cli -am package -DskipTests dependency:build-classpath \
    -Dmdep.outputFile="$PWD/$out/cli.classpath" -Dmdep.includeScope=test
cp="cli/target/test-classes:cli/target/classes:$(cat "$out/cli.classpath")"
jar="cli/target/ferry.jar"

echo "== (a) plan of $plan_migrations migrations"
rm -rf "$out/plan"
java -cp "$cp" dev.ferry.cli.e2e.JourneyABench plan "$plan_migrations" "$jar" "$out/plan"
echo
echo "== (b) apply of $apply_migrations migrations, sandbox time scale $time_scale"
rm -rf "$out/apply"
java -Dferry.bench.shards="${SHARDS:-1}" -Dferry.bench.parallelism="${PARALLELISM:-10}" -Dferry.bench.trace="${TRACE:-false}" -Dferry.bench.poll="${POLL_INTERVAL:-500ms}" -cp "$cp" dev.ferry.cli.e2e.JourneyABench apply "$apply_migrations" "$jar" "$out/apply" "$time_scale"
