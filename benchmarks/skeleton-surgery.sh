#!/usr/bin/env bash
# Surgery on a Llama-2-7B-shaped model (32 layers, hidden 4096, intermediate 11008, vocab 32000,
# fp16, genai layout) whose 13 GB data file is sparse: inspect and patch must take the same time
# whatever the data holds, because they never read weight bytes.
#
# Prints, for `--version` (JVM start), `inspect`, `patch` and the Python onnx peer doing the same
# edit (benchmarks/skeleton_surgery_peer.py: load without weights, add the same nodes, save beside
# the input): median and min wall time and peak RSS over RUNS rounds, the commands taking turns
# within each round so that all see the same machine; the ratio patch / peer; which classes the
# patch loads; which files it opened (strace); what happens when the data file is emptied.
# Usage: benchmarks/skeleton-surgery.sh [RUNS]   (default 7; PYTHON=... picks the peer's python)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="$root/onnx-sinkfix"
runs="${1:-7}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$cli" --version >/dev/null   # builds and records the class-data archive on first use, outside the timings
"$cli" sample llama-2-7b-skeleton -o "$work/m" >/dev/null
model="$work/m/model.onnx"
printf 'skeleton: model.onnx %s bytes, model.onnx.data %s bytes apparent, %s KiB on disk\n' \
  "$(stat -c %s "$model")" "$(stat -c %s "$work/m/model.onnx.data")" "$(du -k "$work/m/model.onnx.data" | cut -f1)"
printf 'machine: %s cores, load average %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"

python="${PYTHON:-/usr/bin/python3}"
peer="$root/benchmarks/skeleton_surgery_peer.py"
if onnx_version="$("$python" -c 'import onnx; print(onnx.__version__)' 2>/dev/null)"; then
  echo "peer: $("$python" --version 2>&1) ($python), onnx $onnx_version"
else
  echo "peer: skipped: $python has no onnx module (Debian: apt-get install python3-onnx; or PYTHON=...)"
  peer=""
fi

export JAVA_OPTS="${JAVA_OPTS:-}"
labels=("--version (JVM start only)" "inspect" "patch --preset llama-2-7b" "patch, class-data sharing off")
commands=(
  "$cli --version"
  "$cli inspect $model"
  "$cli patch $model --preset llama-2-7b --force -o $work/m/p.onnx"
  "env JAVA_OPTS=-Xshare:off $cli patch $model --preset llama-2-7b --force -o $work/m/p.onnx"
)
if [ -n "$peer" ]; then
  labels+=("Python onnx peer (same nodes)")
  commands+=("$python $peer $model $work/m/peer.onnx")
fi

# One round runs every command once, in turn; wall times go to $work/times.N, CPU times (user +
# system, less sensitive than wall time to other work on a shared machine) to $work/cpu.N, peak RSS
# to $work/rss.N.
for _ in $(seq "$runs"); do
  for i in "${!commands[@]}"; do
    # shellcheck disable=SC2086
    /usr/bin/time -f '%e %M %U %S' -o "$work/t" ${commands[$i]} >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    read -r t m u s <"$work/t"
    echo "$t" >>"$work/times.$i"
    awk -v u="$u" -v s="$s" 'BEGIN {print u + s}' >>"$work/cpu.$i"
    echo "$m" >>"$work/rss.$i"
  done
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
minimum() { sort -n "$1" | head -1; }
echo
for i in "${!commands[@]}"; do
  printf '%-34s median %5.2f s   min %5.2f s   CPU median %5.2f s   peak RSS %4d MB\n' "${labels[$i]}" \
    "$(median "$work/times.$i")" "$(minimum "$work/times.$i")" "$(median "$work/cpu.$i")" \
    $(( $(sort -n "$work/rss.$i" | tail -1) / 1024 ))
done
if [ -n "$peer" ]; then
  awk -v a="$(median "$work/times.2")" -v b="$(median "$work/times.4")" -v c="$(minimum "$work/times.2")" \
      -v d="$(minimum "$work/times.4")" \
      -v e="$(median "$work/cpu.2")" -v f="$(median "$work/cpu.4")" \
      'BEGIN {printf "patch / peer: wall %.2f (medians), %.2f (minima); CPU %.2f (medians); %d rounds\n", a / b, c / d, e / f, '"$runs"'}'
fi
printf 'load average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "classes the patch loads (-Xlog:class+load), by where they come from:"
JAVA_OPTS="-Xlog:class+load=info:file=$work/classes" "$cli" patch "$model" --preset llama-2-7b --force -o "$work/m/p.onnx" >/dev/null
printf '  %s in all; ' "$(grep -c 'class,load' "$work/classes")"
printf 'ONNX Runtime %s, Jackson %s, picocli %s, protobuf %s, onnx-sinkfix %s\n' \
  "$(grep -c ' ai\.onnxruntime\.' "$work/classes" || true)" "$(grep -c ' com\.fasterxml\.' "$work/classes" || true)" \
  "$(grep -c ' picocli\.' "$work/classes" || true)" "$(grep -c ' com\.google\.protobuf\.' "$work/classes" || true)" \
  "$(grep -c ' dev\.sinkfix\.' "$work/classes" || true)"
printf '  from the class-data archive: %s\n' "$(grep -c 'shared objects file' "$work/classes" || true)"

echo
echo "files the patch opened (strace -e openat; data file only stat'ed if absent here):"
if command -v strace >/dev/null; then
  strace -f -qq -e trace=openat -o "$work/strace" "$cli" patch "$model" --preset llama-2-7b --force -o "$work/m/p.onnx" >/dev/null
  grep -E 'model\.onnx|p\.onnx' "$work/strace" | grep -v ENOENT | sed -E 's/^[0-9]+ +//; s#'"$work"'#$WORK#g' | sort -u
else
  echo "  (strace not installed)"
fi

echo
echo "with the data file emptied (0 bytes), the external-data check refuses before any surgery:"
: >"$work/m/model.onnx.data"
/usr/bin/time -f 'inspect took %e s, peak RSS %M KB' "$cli" inspect "$model" 2>&1 | sed 's#'"$work"'#$WORK#g' || true
