#!/usr/bin/env bash
# Quality of replay and clamp mode on the sink sample and stories260K (fraction of positions changed and greedy
# agreement on ordinary prompts, the repeat task's norms), and clamp's decode-step cost on the mid sample.
# Usage: benchmarks/clamp-quality.sh [ROUNDS] [decode]   (default 30; "decode" runs the cost part only). stories260K is read from testdata/models.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# package (not install): the cli's lib/ folder then holds every module and dependency the benchmark needs.
mvn -B -q -DskipTests package >&2
exec java -Xmx6g -Dsinkfix.shared="$root/testdata" -cp "cli/target/test-classes:cli/target/classes:cli/target/lib/*" \
  dev.sinkfix.bench.ClampQualityBenchmark "$@"
