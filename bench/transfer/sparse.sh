#!/usr/bin/env bash
# Benchmark of the zero-run path of the streamed transfer (ferry issue 13, item 2). Prints figures; not a test.
#
# Builds a sparse raw disk image (ext4 filled from a directory inside an 8 GiB file, so only the
# written blocks take disk space), lists its data extents with SEEK_DATA/SEEK_HOLE, and times in
# the same run, each in its own process, the file read directly and the gzip kept in a file:
#   (0) the pipeline before the zero-run path (built from --base, default the merge base with main),
#       reading every byte;
#   (1) the pipeline now, reading every byte (zeros found in the stream);
#   (2) the pipeline now, the source declaring its data extents (holes never read);
#   (c) pigz -p 2 -6 -c image > /dev/null over the full raw file;
#   (d) pigz -p 2 -6 over the written extents alone, copied into a dense file first (untimed): what deflating the
#       data costs at level 6 whoever does it, the floor under any sparse-aware path with the same gzip size.
# Every ferry run's raw SHA-256 is checked against the image's; the gzip of (2) is inflated with
# gzip -dc and its SHA-256 checked too (untimed).
#
# usage: bench/transfer/sparse.sh [--size 8G] [--from DIR] [--runs N] [--base REV] [--jvm FLAGS] [-- key=value ...]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SIZE=8G
FROM=/usr/share
RUNS=1
BASE=""
JVM_FLAGS="-Xmx256m"
SETTINGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) SIZE=$2; shift 2 ;;
    --from) FROM=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --base) BASE=$2; shift 2 ;;
    --jvm) JVM_FLAGS=$2; shift 2 ;;
    --) shift; SETTINGS=("$@"); break ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
for tool in pigz gzip mkfs.ext4 java javac mvn python3 git; do
  command -v "$tool" >/dev/null 2>&1 || { echo "missing $tool" >&2; exit 1; }
done
[[ -x /usr/bin/time ]] || { echo "missing /usr/bin/time: apt-get install time" >&2; exit 1; }
[[ -n "$BASE" ]] || BASE=$(git -C "$ROOT" merge-base HEAD main)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench-sparse.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "== building engine classes now (mvn test-compile) and at $BASE (javac)" >&2
mvn -B -ntp -q -o -f "$ROOT/pom.xml" -pl engine test-compile >&2
CP="$ROOT/engine/target/classes:$ROOT/engine/target/test-classes"
mkdir -p "$WORK/before-src" "$WORK/before"
git -C "$ROOT" archive "$BASE" engine/src/main/java/dev/ferry/engine/transfer \
  engine/src/test/java/dev/ferry/engine/transfer | tar -x -C "$WORK/before-src"
T="$WORK/before-src/engine/src/test/java/dev/ferry/engine/transfer"
javac -nowarn -d "$WORK/before" "$WORK"/before-src/engine/src/main/java/dev/ferry/engine/transfer/*.java \
  "$T/TransferBench.java" "$T/HttpRangedSource.java" "$T/HttpPutSinks.java" "$T/LoopbackServer.java"
BENCH=dev.ferry.engine.transfer.TransferBench

IMAGE="$WORK/image"
echo "== mkfs.ext4 -q -F -d $FROM image $SIZE (sparse)" >&2
mkfs.ext4 -q -F -d "$FROM" "$IMAGE" "$SIZE" 2>/dev/null
python3 - "$IMAGE" > "$WORK/extents" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
size = os.fstat(fd).st_size
at = 0
while at < size:
    try:
        data = os.lseek(fd, at, os.SEEK_DATA)
    except OSError:
        break
    hole = os.lseek(fd, data, os.SEEK_HOLE)
    print(data, hole - data)
    at = hole
PY
RAW_BYTES=$(stat -c %s "$IMAGE")
WRITTEN=$(awk '{s += $2} END {print s + 0}' "$WORK/extents")
EXTENTS=$(wc -l < "$WORK/extents")
echo "== reference SHA-256 of the image (untimed)" >&2
RAW_SHA=$(sha256sum "$IMAGE" | cut -d' ' -f1)
cat "$IMAGE" > /dev/null
DENSE="$WORK/written"
python3 - "$IMAGE" "$WORK/extents" "$DENSE" <<'PY'
import sys
with open(sys.argv[1], "rb") as image, open(sys.argv[3], "wb") as dense:
    for line in open(sys.argv[2]):
        offset, length = map(int, line.split())
        image.seek(offset)
        while length > 0:
            block = image.read(min(length, 1 << 20))
            dense.write(block)
            length -= len(block)
PY

field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" "$2"; }
declare -a ROWS
timed() { # name, output file, command...
  local name=$1 out=$2; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/t" "$@" > "$out"
  read -r wall user sys rss < "$WORK/t"
  local cpu; cpu=$(python3 -c "print(f'{$user + $sys:.2f}')")
  local rate; rate=$(python3 -c "print(f'{$RAW_BYTES / 1e6 / max($wall, 0.01):.0f}')")
  local gz; gz=$(field gzip_bytes "$out"); local read; read=$(field bytes_read "$out")
  if [[ "$name" != "(c)"* && "$name" != "(d)"* ]]; then
    [[ "$(field raw_sha256 "$out")" == "$RAW_SHA" ]] || { echo "$name: raw SHA-256 is wrong" >&2; exit 1; }
  fi
  ROWS+=("$(printf '%-44s %8s %8s %8s %6s MiB %12s %14s' "$name" "$wall" "$cpu" "$rate" "$((rss / 1024))" "${gz:--}" "${read:--}")")
}

for run in $(seq 1 "$RUNS"); do
  echo "== run $run/$RUNS" >&2
  # shellcheck disable=SC2086
  timed "(0) before, every byte read, run $run" "$WORK/0.out" java $JVM_FLAGS -cp "$WORK/before" $BENCH local "$IMAGE" "${SETTINGS[@]}"
  # shellcheck disable=SC2086
  timed "(1) now, every byte read, run $run" "$WORK/1.out" java $JVM_FLAGS -cp "$CP" $BENCH local "$IMAGE" "${SETTINGS[@]}"
  # shellcheck disable=SC2086
  timed "(2) now, extents declared, run $run" "$WORK/2.out" java $JVM_FLAGS -cp "$CP" $BENCH local "$IMAGE" \
    "extents=$WORK/extents" "out=$WORK/2.gz" "${SETTINGS[@]}"
  timed "(c) pigz -p 2 -6 of the raw file, run $run" "$WORK/c.out" sh -c "pigz -p 2 -6 -c '$IMAGE' | wc -c | sed 's/^/gzip_bytes=/'"
  timed "(d) pigz -p 2 -6 of the written data, run $run" "$WORK/d.out" sh -c "pigz -p 2 -6 -c '$DENSE' | wc -c | sed 's/^/gzip_bytes=/'"
done
echo "== checking the gzip of (2) with gzip -dc (untimed)" >&2
[[ "$(gzip -dc "$WORK/2.gz" | sha256sum | cut -d' ' -f1)" == "$RAW_SHA" ]] || { echo "(2): gunzip gives other bytes" >&2; exit 1; }

echo
echo "ferry zero-run transfer benchmark — $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "image: ext4 from $FROM in $RAW_BYTES bytes ($SIZE), $WRITTEN bytes in $EXTENTS data extents" \
  "($(python3 -c "print(f'{100 * $WRITTEN / $RAW_BYTES:.1f}')")% written); before = $BASE; JVM flags: $JVM_FLAGS"
echo
printf '%-44s %8s %8s %8s %10s %12s %14s\n' "" "wall s" "CPU s" "MB/s" "peak RSS" "gzip bytes" "bytes read"
printf '%s\n' "${ROWS[@]}"
echo
echo "MB/s is the image size over the wall time; every ferry run's raw SHA-256 matched the image, and gzip -dc of (2) gave the image back"
