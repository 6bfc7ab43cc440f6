#!/usr/bin/env bash
# Run-time cost of the patch and of all norm taps on the mid-size sample under ONNX Runtime CPU: decode-step and
# 512-token prefill latency against the original, interleaved, ratio of medians.
# Usage: benchmarks/runtime-overhead.sh [ROUNDS]   (default 30)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -DskipTests install >&2
mvn -B -q -pl cli test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
exec java -Xmx6g -cp "cli/target/test-classes:cli/target/classes:$(cat cli/target/bench.classpath)" \
  dev.sinkfix.bench.RuntimeOverheadBenchmark "$@"
