#!/usr/bin/env bash
# How much --time-scale shortens an apply: a small raw disk imported into EC2 and launched (ImportImage takes 8 s
# in the sandbox at scale 1, the instance 2 s), applied against `ferry sandbox --time-scale X` with the poll
# interval a real apply has (FERRY_POLL_INTERVAL unset), at scale 1 and 0.1. Prints the apply's wall time and how
# many times it polled (progress events in apply --json), for each jar given (e.g. a build of main, then this one).
# Usage: bench/poll-pace/run.sh [JAR...]   (default: cli/target/ferry.jar)
set -euo pipefail
cd "$(dirname "$0")/../.."
jars=("$@")
[ ${#jars[@]} -gt 0 ] || jars=(cli/target/ferry.jar)
work="$(mktemp -d "${TMPDIR:-/tmp}/poll-pace.XXXXXX")"; [ -z "${KEEP:-}" ] || echo "runs kept in $work"
trap 'kill "${sandbox_pid:-}" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

python3 - "$work/web-01.raw" <<'PY'
import os, sys
disk = bytearray(os.urandom(2 << 20))
disk[446:512] = bytes(66)
disk[446], disk[446 + 4] = 0x80, 0x83           # one bootable Linux partition
disk[510], disk[511] = 0x55, 0xAA
open(sys.argv[1], "wb").write(disk)
PY
cat > "$work/migration.yaml" <<'YAML'
apiVersion: ferry/v1
kind: Migration
metadata: { name: images }
providers: { aws: { region: us-west-1 }, vsphere: {} }
staging: { bucket: ferry-e2e-images, prefix: imports/, create: true, cleanup: keep }
migrations:
  - name: web-01
    source: { vsphere: { disk_image: web-01.raw } }
    target: { ec2: { subnet: subnet-0abc1234, instance_type: t3.small } }
YAML

for jar in "${jars[@]}"; do
    for scale in 1 0.1; do
        run="$work/run-$scale"
        rm -rf "$run" && mkdir -p "$run" && cp "$work/web-01.raw" "$work/migration.yaml" "$run/"
        java -jar "$jar" sandbox --time-scale "$scale" > "$run/sandbox.out" 2>&1 &
        sandbox_pid=$!
        for _ in $(seq 1 300); do grep -q '^export ROOT_PASSWORD' "$run/sandbox.out" 2>/dev/null && break; sleep 0.1; done
        # shellcheck disable=SC1090
        (set +u; source <(grep '^export ' "$run/sandbox.out"); unset FERRY_POLL_INTERVAL; cd "$run"
         java -jar "$jar" plan -out review.plan > plan.out 2>&1 || { cat plan.out; exit 1; }
         start=$(date +%s.%N)
         NO_COLOR=1 java -jar "$jar" apply --json review.plan > apply.json 2> apply.err || { cat apply.err; exit 1; }
         end=$(date +%s.%N)
         polls=$(grep -c '"step_progress"' apply.json || true)
         # the import's and the launch's own time, from their events' timestamps (JVM start and load left out)
         steps=$(python3 -c '
import json, sys
from datetime import datetime
started = {}
out = []
for line in open("apply.json"):
    e = json.loads(line)
    at = datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00"))
    if e["type"] == "step_started":
        started[e["address"]] = at
    elif e["type"] == "step_finished" and e["address"].split(".")[0] in ("aws_image_import", "aws_instance"):
        out.append("%s %.1f s" % (e["address"].split(".")[0], (at - started[e["address"]]).total_seconds()))
print(", ".join(out))')
         printf '%-22s --time-scale %-3s apply %5.1f s (%s), %2d polls (step_progress events)\n' \
             "$(basename "$jar")" "$scale" "$(echo "$end - $start" | bc)" "$steps" "$polls")
        kill "$sandbox_pid"; wait "$sandbox_pid" 2>/dev/null || true
    done
done
