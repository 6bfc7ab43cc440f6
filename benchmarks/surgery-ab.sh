#!/usr/bin/env bash
# inspect and patch --preset on the Llama-2-7B skeleton with two builds of the command line,
# runs interleaved so that a noisy machine slows both alike: did a change make surgery slower?
# Usage: benchmarks/surgery-ab.sh OLD.jar NEW.jar [RUNS]   (jars: cli/target/onnx-sinkfix.jar of each build)
set -euo pipefail
old="$1"; new="$2"; runs="${3:-9}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
java -jar "$new" sample llama-2-7b-skeleton -o "$work/m" >/dev/null
model="$work/m/model.onnx"
declare -A times
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
for _ in $(seq "$runs"); do
  for build in old new; do
    jar="${!build}"
    times[$build-inspect]+="$(ms java -jar "$jar" inspect "$model") "
    times[$build-patch]+="$(ms java -jar "$jar" patch "$model" --preset llama-2-7b --force -o "$work/m/p-$build.onnx") "
  done
done
for key in old-inspect new-inspect old-patch new-patch; do
  printf '%-12s %s\n' "$key" "$(tr ' ' '\n' <<<"${times[$key]}" | grep . | sort -n \
    | awk '{a[NR]=$1} END {printf "median %d ms   min %d ms   (%d runs)", a[int((NR+1)/2)], a[1], NR}')"
done
