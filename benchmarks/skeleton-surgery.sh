#!/usr/bin/env bash
# Surgery on a Llama-2-7B-shaped model (32 layers, hidden 4096, intermediate 11008, vocab 32000,
# fp16, genai layout) whose 13 GB data file is sparse: inspect and patch must take the same time
# whatever the data holds, because they never read weight bytes.
#
# Prints, for `--version` (JVM start), `inspect` and `patch`: median and min wall time and the
# peak RSS over RUNS runs; then which files the patch opened (strace), and what happens when the
# data file is emptied. Usage: benchmarks/skeleton-surgery.sh [RUNS]   (default 7)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="$root/onnx-sinkfix"
runs="${1:-7}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$cli" --version >/dev/null   # builds on first use, outside the timings
"$cli" sample llama-2-7b-skeleton -o "$work/m" >/dev/null
model="$work/m/model.onnx"
printf 'skeleton: model.onnx %s bytes, model.onnx.data %s bytes apparent, %s KiB on disk\n' \
  "$(stat -c %s "$model")" "$(stat -c %s "$work/m/model.onnx.data")" "$(du -k "$work/m/model.onnx.data" | cut -f1)"

export JAVA_OPTS="${JAVA_OPTS:-}"

# measure LABEL CMD...: RUNS runs of CMD, reports median/min wall seconds and max RSS.
measure() {
  local label="$1"; shift
  local times=() rss=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
    read -r t m <"$work/t"
    times+=("$t"); (( m > rss )) && rss=$m
  done
  printf '%-34s median %5.2f s   min %5.2f s   peak RSS %4d MB\n' "$label" \
    "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
    "$(printf '%s\n' "${times[@]}" | sort -n | head -1)" $(( rss / 1024 ))
}

measure "--version (JVM start only)" "$cli" --version
measure "inspect (13 GB sparse data)" "$cli" inspect "$model"
measure "patch --layer 1 (13 GB sparse data)" "$cli" patch "$model" --preset llama-2-7b --force -o "$work/m/p.onnx"
JAVA_OPTS=-Xshare:off measure "patch, class-data sharing off" "$cli" patch "$model" --preset llama-2-7b --force -o "$work/m/p.onnx"

echo
echo "files the patch opened (strace -e openat; data file only stat'ed if absent here):"
strace -f -qq -e trace=openat -o "$work/strace" "$cli" patch "$model" --preset llama-2-7b --force -o "$work/m/p.onnx" >/dev/null
grep -E 'model\.onnx|p\.onnx' "$work/strace" | grep -v ENOENT | sed -E 's/^[0-9]+ +//; s#'"$work"'#$WORK#g' | sort -u

echo
echo "with the data file emptied (0 bytes), the external-data check refuses before any surgery:"
: >"$work/m/model.onnx.data"
/usr/bin/time -f 'inspect took %e s, peak RSS %M KB' "$cli" inspect "$model" 2>&1 | sed 's#'"$work"'#$WORK#g' || true
