#!/usr/bin/env bash
# Installs the Debian packages the build and tests need. Idempotent and fast
# when everything is present (no apt-get call at all then).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libdnnl-dev            # oneDNN: CPU matmul
  ocl-icd-opencl-dev     # oneDNN's CMake config looks for OpenCL (a Recommends, skipped by --no-install-recommends)
  libyaml-cpp-dev        # YAML configs
  nlohmann-json3-dev     # JSON
  libcpp-httplib-dev     # API server and web UI
  libonig-dev            # Oniguruma: tokenizer pre-tokenizer regexes
  libutf8proc-dev        # Unicode normalisation (NFC) and categories
  libcurl4-openssl-dev   # model hub downloads
  libcairo2-dev          # training_loss.png
  libgtest-dev libgmock-dev libbenchmark-dev
  libgloo-dev            # CPU collectives for multi-process training
  python3-numpy          # independent reference for model forward tests
  nodejs npm             # reference tokenizer (Hugging Face tokenizers for Node) in tests
  chromium               # headless browser for the web chat page test (driven by npm playwright-core)
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# node/npm may come from outside Debian's packages (e.g. a preinstalled Node.js).
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do
    [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p")
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if ((${#missing[@]} == 0)); then
  echo "deps: all present"
  exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) != 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
