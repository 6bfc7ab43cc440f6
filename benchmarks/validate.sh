#!/usr/bin/env bash
# How long `validate` takes on the mid-size sample under ONNX Runtime CPU, and where the time goes
# (sessions, runs, comparisons, repeat task). Usage: benchmarks/validate.sh [RUNS]   (default 5)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -DskipTests install >&2
mvn -B -q -pl cli test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
exec java -Xmx2g -cp "cli/target/test-classes:cli/target/classes:$(cat cli/target/bench.classpath)" \
  dev.sinkfix.bench.ValidateBenchmark "$@"
