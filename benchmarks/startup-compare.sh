#!/usr/bin/env bash
# Start-up of `patch` on the 7B skeleton: this checkout against an older revision of it and the
# Python onnx peer, taking turns within each round so that all see the same machine (ratios from one
# run are what to compare on a shared machine). The old revision is built from `git archive` in a
# scratch folder (offline Maven; nothing installed) and gets its own class-data archive, recorded as
# its launcher did.
# Usage: benchmarks/startup-compare.sh REV [RUNS]   (e.g. a116cba 10; PYTHON=... for the peer)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rev="${1:?usage: startup-compare.sh REV [RUNS]}"
runs="${2:-10}"
python="${PYTHON:-/usr/bin/python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$root/onnx-sinkfix" --version >/dev/null
mkdir "$work/old"
git -C "$root" archive "$rev" | tar -x -C "$work/old"
echo "building $rev ($(git -C "$root" log -1 --format=%cd --date=short "$rev"))..." >&2
(cd "$work/old" && mvn -B -q -o -DskipTests package) >&2
flags=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Xlog:disable -Xlog:all=error:stderr)
java "${flags[@]}" -XX:ArchiveClassesAtExit="$work/old.jsa" -jar "$work/old/cli/target/onnx-sinkfix.jar" \
  demo -o "$work/demo" >/dev/null 2>&1 || echo "no class-data archive for $rev" >&2
"$root/onnx-sinkfix" sample llama-2-7b-skeleton -o "$work/m" >/dev/null
model="$work/m/model.onnx"

labels=("patch, $rev" "patch, this checkout")
commands=("java ${flags[*]} -XX:SharedArchiveFile=$work/old.jsa -jar $work/old/cli/target/onnx-sinkfix.jar patch $model --preset llama-2-7b --force -o $work/m/old.onnx"
          "$root/onnx-sinkfix patch $model --preset llama-2-7b --force -o $work/m/new.onnx")
if "$python" -c 'import onnx' 2>/dev/null; then
  labels+=("Python onnx peer")
  commands+=("$python $root/benchmarks/skeleton_surgery_peer.py $model $work/m/peer.onnx")
else
  echo "peer skipped: $python has no onnx module" >&2
fi
printf 'machine: %s cores, load average %s; %s rounds\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$runs"
for _ in $(seq "$runs"); do
  for i in "${!commands[@]}"; do
    # shellcheck disable=SC2086
    /usr/bin/time -f '%e %U %S' -o "$work/t" ${commands[$i]} >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    read -r t u s <"$work/t"
    echo "$t" >>"$work/wall.$i"
    awk -v u="$u" -v s="$s" 'BEGIN {print u + s}' >>"$work/cpu.$i"
  done
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for i in "${!commands[@]}"; do
  printf '%-28s wall median %5.2f s  min %5.2f s   CPU median %5.2f s  min %5.2f s\n' "${labels[$i]}" \
    "$(median "$work/wall.$i")" "$(sort -n "$work/wall.$i" | head -1)" "$(median "$work/cpu.$i")" "$(sort -n "$work/cpu.$i" | head -1)"
done
awk -v a="$(median "$work/wall.1")" -v b="$(median "$work/wall.0")" -v c="$(median "$work/cpu.1")" -v d="$(median "$work/cpu.0")" \
  'BEGIN {printf "this checkout / %s: wall %.2f, CPU %.2f (medians)\n", "'"$rev"'", a / b, c / d}'
if [ "${#commands[@]}" -gt 2 ]; then
  awk -v a="$(median "$work/wall.1")" -v b="$(median "$work/wall.2")" -v c="$(median "$work/cpu.1")" -v d="$(median "$work/cpu.2")" \
    -v e="$(median "$work/wall.0")" -v f="$(median "$work/cpu.0")" \
    'BEGIN {printf "patch / peer: this checkout wall %.2f, CPU %.2f; %s wall %.2f, CPU %.2f (medians)\n", a / b, c / d, "'"$rev"'", e / b, f / d}'
fi
printf 'load average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
