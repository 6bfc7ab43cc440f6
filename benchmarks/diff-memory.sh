#!/usr/bin/env bash
# Peak memory of `diff` on two models with one 500 MB output each (125M floats), against twice the
# output's size. A 256 MB heap: a copy of an output onto the Java heap would not fit.
# Usage: benchmarks/diff-memory.sh [ELEMENTS]   (default 125000000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -DskipTests install >&2
mvn -B -q -pl cli test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
exec java -Xmx256m -cp "cli/target/test-classes:cli/target/classes:$(cat cli/target/bench.classpath)" \
  dev.sinkfix.bench.DiffMemoryBenchmark "$@"
