#!/bin/sh
# Training benchmark and its PyTorch peer on the same machine: runs
# bench_train (LoRA rank 8, batch 4 x 512, bf16, gradient checkpointing) and
# bench/peers/torch_lora.py with the same settings, then prints the ratio of
# their tokens/s. The load average is printed with each figure: on a shared
# machine the figures only compare runs taken under similar load.
# Usage: scripts/bench-train.sh [BUILD_DIR] [STEPS]   (defaults: build, 3)
set -eu
build=${1:-build}
steps=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$build/bin/bench_train"
[ -x "$bin" ] || { echo "bench-train: $bin not found; build it: cmake --build $build --target bench_train" >&2; exit 1; }

echo "== llamafactory.cpp (bench_train --steps $steps), load: $(cut -d' ' -f1-3 /proc/loadavg)"
ours_out=$("$bin" --steps "$steps")
echo "$ours_out"
ours=$(echo "$ours_out" | sed -n 's/^RESULT tokens_per_s=\([0-9.]*\).*/\1/p')

# Debian's python3-torch lives in /usr/bin/python3's path, which a pyenv or
# venv python3 earlier on PATH does not see; $PYTHON picks another.
python=
for candidate in ${PYTHON:-} python3 /usr/bin/python3; do
  if "$candidate" -c 'import torch' 2>/dev/null; then python=$candidate; break; fi
done
if [ -z "$python" ]; then
  echo "== PyTorch peer skipped: no python3 here imports torch (apt-get install python3-torch; see docs/benchmarks.md)"
  exit 0
fi
echo "== PyTorch peer ($python bench/peers/torch_lora.py --steps $steps), load: $(cut -d' ' -f1-3 /proc/loadavg)"
peer_out=$("$python" "$root/bench/peers/torch_lora.py" --steps "$steps")
echo "$peer_out"
peer=$(echo "$peer_out" | sed -n 's/^RESULT tokens_per_s=\([0-9.]*\).*/\1/p')
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v a="$ours" -v b="$peer" 'BEGIN { printf "ours / PyTorch: %.1f / %.1f tokens/s = %.2fx (target >= 2x)\n", a, b, a / b }'
