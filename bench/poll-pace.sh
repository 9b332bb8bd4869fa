#!/usr/bin/env bash
# How long `ferry demo` takes at the sandbox's full pace and at a tenth of it, with the demo's own poll interval
# (1 s) and with the one a real apply has (FERRY_POLL_INTERVAL=15s, the default when unset), for one journey.
# Polls follow the pace of the operation (issue 19 item 9), so --time-scale 0.1 should shorten the demo a lot.
# Usage: bench/poll-pace.sh [JAR] [JOURNEY]   (default: cli/target/ferry.jar, ec2-to-linode)
set -euo pipefail
cd "$(dirname "$0")/.."
jar="${1:-cli/target/ferry.jar}"
journey="${2:-ec2-to-linode}"
[ -f "$jar" ] || { echo "no $jar: run mvn -o -q -DskipTests package -pl cli -am first" >&2; exit 1; }
for interval in "" 15s; do
    for scale in 1 0.1; do
        start=$(date +%s.%N)
        if [ -n "$interval" ]; then
            FERRY_POLL_INTERVAL="$interval" NO_COLOR=1 java -jar "$jar" demo --journey "$journey" --time-scale "$scale" >/dev/null 2>&1
        else
            NO_COLOR=1 java -jar "$jar" demo --journey "$journey" --time-scale "$scale" >/dev/null 2>&1
        fi
        end=$(date +%s.%N)
        label="${interval:-unset (the demo sets 1s)}"
        printf 'demo --journey %s --time-scale %-3s FERRY_POLL_INTERVAL=%-26s %6.1f s\n' \
            "$journey" "$scale" "$label" "$(echo "$end - $start" | bc)"
    done
done
