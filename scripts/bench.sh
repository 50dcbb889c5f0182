#!/bin/sh
# `make bench`: every benchmark binary of the build, then the training
# benchmark with its PyTorch peer. Binaries that were not built are skipped.
# Usage: scripts/bench.sh [BUILD_DIR]   (default: build)
set -eu
build=${1:-build}
dir=$(dirname "$0")
for name in bench_ops bench_tokenizer bench_data; do
  if [ -x "$build/bin/$name" ]; then
    echo "== $name, load: $(cut -d' ' -f1-3 /proc/loadavg)"
    "$build/bin/$name"
  else
    echo "== $name not built, skipped"
  fi
done
sh "$dir/bench-train.sh" "$build"
