#!/usr/bin/env bash
# Streams a large gzip'd disk image to the sandbox's Linode upload URL with a 64 MiB heap: the upload is
# inflated and digested as it arrives, never held. Prints the throughput.
# Usage: bench/sandbox-large-upload.sh [raw size in MiB]   (default 2048)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
mvn -B -ntp -q -pl sandbox compile dependency:build-classpath \
    -Dmdep.outputFile="$PWD/bench/out/sandbox.classpath" -Dmdep.includeScope=runtime
cp="sandbox/target/classes:$(cat bench/out/sandbox.classpath)"
javac -d bench/out -cp "$cp" bench/SandboxLargeUpload.java
java -Xmx64m -cp "bench/out:$cp" SandboxLargeUpload "${1:-2048}"
