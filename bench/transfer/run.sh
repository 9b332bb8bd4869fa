#!/usr/bin/env bash
# Benchmark of the streamed image transfer (ferry issue 7). Prints figures; not a test.
#
# Builds a raw disk image holding an ext4 filesystem filled from /usr/share, serves it from a
# loopback HTTP server (ranged GETs, like S3) that also takes the upload (a PUT it inflates to
# check, like Linode's upload_to), and times, in the same run:
#   (a) ferry's StreamingTransfer end to end, in its own JVM (wall, CPU, peak RSS);
#   (b) the seed's path: download the object to a file, gzip -6 it, upload the .gz (curl);
#   (c) pigz -p 2 -6 -c image > /dev/null alone;
#   and, with --with-local, (a') the pipeline alone: the image file read directly, the gzip dropped.
#
# usage: bench/transfer/run.sh [--size 2G] [--runs N] [--skip-seed] [--jvm "JVM FLAGS"]
#                              [--image FILE] [--verify-inline] [--with-local] [-- key=value ...]
#   --size      image size given to mkfs.ext4 (2G; 8G checks that memory stays flat)
#   --runs      how many times (a) and (c) run, alternately (default 1); (b) runs once
#   --skip-seed leave (b) out (it writes the image and its gzip to disk)
#   --jvm       flags for the ferry JVM (default: -Xmx256m, the heap cap a launcher should pass;
#               with the JVM's own defaults G1 sizes the heap from the machine's RAM, 1/64 of it
#               at start, and the resident set follows the heap, not the transfer's buffers)
#   --image     reuse an existing image file instead of building one (it is not deleted)
#   --verify-inline  the server inflates each upload while receiving it, on the same 2 cores as
#               ferry; by default it answers first and inflates after, as a remote receiver's CPU
#               is not ours (the check is the same, and is waited for before the next step)
#   after --    settings passed to the transfer: block= range= threads= connections= buffers= level=
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SIZE=2G
RUNS=1
SKIP_SEED=false
JVM_FLAGS="-Xmx256m"
WITH_LOCAL=false
IMAGE=""
VERIFY=""
SETTINGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) SIZE=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --skip-seed) SKIP_SEED=true; shift ;;
    --jvm) JVM_FLAGS=$2; shift 2 ;;
    --image) IMAGE=$2; shift 2 ;;
    --verify-inline) VERIFY=inline; shift ;;
    --with-local) WITH_LOCAL=true; shift ;;
    --) shift; SETTINGS=("$@"); break ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

need() { command -v "$1" >/dev/null 2>&1 || { echo "missing $1: $2" >&2; exit 1; }; }
if ! command -v pigz >/dev/null 2>&1; then
  echo "installing pigz from Debian's packages" >&2
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y -q pigz >/dev/null; else sudo apt-get install -y -q pigz >/dev/null; fi
fi
need pigz "apt-get install pigz"
need gzip "apt-get install gzip"
need curl "apt-get install curl"
need mkfs.ext4 "apt-get install e2fsprogs"
need java "install a Java 17 runtime"
need mvn "install Maven 3.8"
[[ -x /usr/bin/time ]] || { echo "missing /usr/bin/time: apt-get install time" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench-transfer.XXXXXX")
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building engine classes (mvn test-compile, nothing installed)" >&2
mvn -B -ntp -q -f "$ROOT/pom.xml" -pl engine test-compile >&2
CP="$ROOT/engine/target/classes:$ROOT/engine/target/test-classes"
BENCH=dev.ferry.engine.transfer.TransferBench

if [[ -z "$IMAGE" ]]; then
  IMAGE="$WORK/image"
  echo "== mkfs.ext4 -q -F -d /usr/share image $SIZE" >&2
  mkfs.ext4 -q -F -d /usr/share "$IMAGE" "$SIZE" 2>/dev/null
fi
RAW_BYTES=$(stat -c %s "$IMAGE")
echo "== reference SHA-256 of the image (untimed)" >&2
RAW_SHA=$(java -cp "$CP" $BENCH sha256 "$IMAGE")
cat "$IMAGE" > /dev/null # into the page cache, so every contender starts warm

java -Xmx1g -cp "$CP" $BENCH serve "$IMAGE" "$WORK/port" $VERIFY > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do [[ -s "$WORK/port" ]] && break; sleep 0.1; done
[[ -s "$WORK/port" ]] || { echo "the loopback server did not start: $(cat "$WORK/server.log")" >&2; exit 1; }
BASE="http://127.0.0.1:$(cat "$WORK/port")"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" "$2"; }
seconds() { python3 -c "print(f'{$1:.2f}')"; }

declare -a A_WALL A_CPU A_RSS A_SERVER C_WALL C_CPU L_WALL L_CPU L_RSS
A_GZIP=""
for run in $(seq 1 "$RUNS"); do
  echo "== run $run/$RUNS: (c) pigz -p 2 -6" >&2
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/c.time" pigz -p 2 -6 -c "$IMAGE" > /dev/null
  read -r wall user sys _ < "$WORK/c.time"
  C_WALL+=("$wall"); C_CPU+=("$(seconds "$user + $sys")")

  echo "== run $run/$RUNS: (a) ferry streamed transfer ${SETTINGS[*]:-}" >&2
  before=$(cpu_ticks "$SERVER_PID")
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/a.time" \
    java $JVM_FLAGS -cp "$CP" $BENCH stream "$BASE/image" "$BASE/upload" "${SETTINGS[@]}" > "$WORK/a.out"
  after=$(cpu_ticks "$SERVER_PID")
  read -r wall user sys rss < "$WORK/a.time"
  A_WALL+=("$wall"); A_CPU+=("$(seconds "$user + $sys")"); A_RSS+=("$((rss / 1024))")
  A_SERVER+=("$(seconds "($after - $before) / $TICKS")")
  curl -sS "$BASE/last-upload" > "$WORK/a.upload"
  [[ "$(field status "$WORK/a.upload")" == 200 ]] || { echo "upload (a) not accepted: $(cat "$WORK/a.upload")" >&2; exit 1; }
  [[ "$(field raw_bytes "$WORK/a.upload")" == "$RAW_BYTES" ]] || { echo "upload (a) inflates to the wrong size" >&2; exit 1; }
  [[ "$(field gzip_sha256 "$WORK/a.upload")" == "$(field gzip_sha256 "$WORK/a.out")" ]] \
    || { echo "upload (a): received gzip differs from what ferry sent" >&2; exit 1; }
  [[ "$(field raw_sha256 "$WORK/a.out")" == "$RAW_SHA" ]] || { echo "ferry's raw SHA-256 is wrong" >&2; exit 1; }
  A_GZIP=$(field gzip_bytes "$WORK/a.out")
  A_OPTIONS=$(field options "$WORK/a.out")

  if [[ "$WITH_LOCAL" == true ]]; then
    echo "== run $run/$RUNS: (a') the pipeline alone, file to nowhere" >&2
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/l.time" \
      java $JVM_FLAGS -cp "$CP" $BENCH local "$IMAGE" "${SETTINGS[@]}" > "$WORK/l.out"
    read -r wall user sys rss < "$WORK/l.time"
    L_WALL+=("$wall"); L_CPU+=("$(seconds "$user + $sys")"); L_RSS+=("$((rss / 1024))")
    [[ "$(field raw_sha256 "$WORK/l.out")" == "$RAW_SHA" ]] || { echo "local run: raw SHA-256 is wrong" >&2; exit 1; }
  fi
done

B_WALL="" B_DOWN="" B_GZIP_TIME="" B_UP="" B_GZIP=""
if [[ "$SKIP_SEED" == false ]]; then
  echo "== (b) the seed's path: download, gzip -6, upload" >&2
  t0=$(date +%s.%N)
  curl -sS -o "$WORK/download.img" "$BASE/image"
  t1=$(date +%s.%N)
  gzip -6 -c "$WORK/download.img" > "$WORK/download.img.gz"
  t2=$(date +%s.%N)
  curl -sS -T "$WORK/download.img.gz" -H 'Content-Type: application/octet-stream' "$BASE/upload" > /dev/null
  t3=$(date +%s.%N)
  curl -sS "$BASE/last-upload" > "$WORK/b.upload"
  [[ "$(field status "$WORK/b.upload")" == 200 ]] || { echo "upload (b) not accepted: $(cat "$WORK/b.upload")" >&2; exit 1; }
  B_GZIP=$(stat -c %s "$WORK/download.img.gz")
  B_DOWN=$(seconds "$t1 - $t0"); B_GZIP_TIME=$(seconds "$t2 - $t1"); B_UP=$(seconds "$t3 - $t2")
  B_WALL=$(seconds "$t3 - $t0")
  rm -f "$WORK/download.img" "$WORK/download.img.gz"
fi

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
A_MED=$(median "${A_WALL[@]}"); C_MED=$(median "${C_WALL[@]}"); RSS_MAX=$(printf '%s\n' "${A_RSS[@]}" | sort -g | tail -1)

echo
echo "ferry streamed transfer benchmark — $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "image: ext4 from /usr/share, $RAW_BYTES bytes ($SIZE); ferry options: $A_OPTIONS; JVM flags: ${JVM_FLAGS:-(defaults)}"
echo "server checks each upload by inflating it ${VERIFY:-after answering}"
echo
printf '%-34s %10s %10s %12s %16s\n' "" "wall s" "CPU s" "peak RSS" "gzip bytes"
for i in "${!A_WALL[@]}"; do
  printf '%-34s %10s %10s %9s MiB %16s\n' "(a) ferry streamed, run $((i + 1))" "${A_WALL[$i]}" "${A_CPU[$i]}" "${A_RSS[$i]}" "$A_GZIP"
  printf '%-34s %10s %10s\n' "    loopback server during (a)" "" "${A_SERVER[$i]}"
done
if [[ -n "$B_WALL" ]]; then
  printf '%-34s %10s %10s %12s %16s\n' "(b) seed: download+gzip -6+upload" "$B_WALL" "" "" "$B_GZIP"
  printf '%-34s %10s\n' "    download" "$B_DOWN" "    gzip -6" "$B_GZIP_TIME" "    upload" "$B_UP"
fi
for i in "${!L_WALL[@]}"; do
  printf '%-34s %10s %10s %9s MiB\n' "(a') pipeline alone, run $((i + 1))" "${L_WALL[$i]}" "${L_CPU[$i]}" "${L_RSS[$i]}"
done
for i in "${!C_WALL[@]}"; do
  printf '%-34s %10s %10s\n' "(c) pigz -p 2 -6, run $((i + 1))" "${C_WALL[$i]}" "${C_CPU[$i]}"
done
echo
verdict() { python3 -c "print('met' if $1 else 'MISSED')"; }
echo "median (a) $A_MED s, median (c) $C_MED s"
echo "goal (a) <= 1.0 x (c):   $(python3 -c "print(f'{$A_MED / $C_MED:.2f}')") x   $(verdict "$A_MED <= $C_MED")"
if [[ -n "$B_WALL" ]]; then
  echo "goal (a) <= 0.4 x (b):   $(python3 -c "print(f'{$A_MED / $B_WALL:.2f}')") x   $(verdict "$A_MED <= 0.4 * $B_WALL")"
  echo "goal size <= 1.01 x gzip -6: $(python3 -c "print(f'{$A_GZIP / $B_GZIP:.4f}')") x   $(verdict "$A_GZIP <= 1.01 * $B_GZIP")"
fi
echo "goal peak RSS <= 300 MiB: $RSS_MAX MiB   $(verdict "$RSS_MAX <= 300")"
echo "every upload was inflated by the server and matched ferry's SHA-256 of the raw and gzip bytes"
