#!/usr/bin/env bash
# Benchmark of journey B from vCenter itself (ferry issue 15). Prints figures; not a test.
#
# A VM whose one disk is a 4 GiB raw image holding an ext4 filesystem filled from /usr/share (stored sparse,
# as a real guest's disk is mostly free space; an MBR in its unused first sector) is captured from the sandbox's vCenter into a content library
# (the sandbox's work, untimed), then moved to S3 two ways, each in its own JVM under /usr/bin/time:
#   (a) `ferry apply` (classes from cli/target, -Xmx256m and the launchers' cli/src/dist/lib/jvm.options, then
#       BENCH_JAVA_OPTS): download session, ranged reads from the ESXi host
#       streamed into the S3 multipart upload, then import and launch. The stream step is timed from the
#       sandbox's request log (CreateMultipartUpload to the end of CompleteMultipartUpload); the OVA's entries
#       in S3 are checked by SHA-256 against the VM's export.
#   (b) the two-step path: the template's files downloaded from the same ESXi host into a local OVA file, then
#       that file uploaded with the AWS SDK's multipart upload (8 MiB parts on 10 threads, as `aws s3 cp`).
# Printed: wall, CPU, peak RSS, local disk bytes and the ratio (goal: stream <= 0.6x the two-step path, RSS
# <= 300 MiB, no local copy). The sandbox runs in the bench's JVM with its clock at 0, on the same cores.
#
# Usage: bench/vsphere-export/run.sh [SIZE=4G]
set -euo pipefail
cd "$(dirname "$0")/../.."
size="${1:-4G}"
out="bench/out/vsphere-export"
mkdir -p "$out"
[[ -x /usr/bin/time ]] || { echo "missing /usr/bin/time (apt-get install time)" >&2; exit 1; }
command -v mkfs.ext4 >/dev/null 2>&1 || { echo "missing mkfs.ext4 (apt-get install e2fsprogs)" >&2; exit 1; }
mvn -B -ntp -q -o -pl cli -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$PWD/$out/cli.classpath" -Dmdep.includeScope=test
cp="$PWD/cli/target/test-classes:$PWD/cli/target/classes:$(cat "$out/cli.classpath")"
disk="$out/app-02-disk.raw"
if [[ ! -f "$disk" || $(stat -c %s "$disk") != $(numfmt --from=iec "$size") ]]; then
  echo "== mkfs.ext4 -d /usr/share $disk $size" >&2
  rm -f "$disk"
  mkfs.ext4 -q -F -d /usr/share "$disk" "$size" 2>/dev/null
  # an MBR in the first sector, which ext4 leaves unused, so VM Import finds a partition table behind it
  python3 -c 'import struct,sys
with open(sys.argv[1], "r+b") as f:
    entry = bytes([0x80, 0, 0, 0, 0x83, 0, 0, 0]) + struct.pack("<II", 0, (int(sys.argv[2]) // 512))
    f.seek(446); f.write(entry); f.seek(510); f.write(b"\x55\xaa")' "$disk" "$(stat -c %s "$disk")"
fi
rm -rf "$out/work"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
java -Xmx1g -cp "$cp" dev.ferry.cli.e2e.VcenterExportBench "$out/work" "$disk"
