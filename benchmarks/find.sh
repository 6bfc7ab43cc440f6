#!/usr/bin/env bash
# How long `find` takes on the mid-size sample (no sink: the BoS and varied-text runs only) and on the
# sink sample (every step), under ONNX Runtime CPU, and where the time goes, step by step.
# Usage: benchmarks/find.sh [RUNS]   (default 4; the first is warm-up)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -DskipTests -pl cli -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
  -Dmdep.includeScope=test >&2
cp="cli/target/test-classes:cli/target/classes"
for m in validator runtime surgery samples; do cp="$cp:$m/target/classes"; done
exec java -Xmx6g -cp "$cp:$(cat cli/target/bench.classpath)" dev.sinkfix.bench.FindBenchmark "$@"
