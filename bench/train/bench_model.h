// The benchmark's model: a Llama-shaped decoder of about 100M parameters,
// created once with random weights and cached in the build tree.
#pragma once
#include <filesystem>

namespace lf::bench {

// Hidden 768, 12 layers, 12 heads (no GQA), intermediate 2048, vocab 32000, bf16.
// Creates `dir` unless it already holds a model; creation runs in a child
// process so that its memory does not count in this process's peak RSS.
void ensure_bench_model(const std::filesystem::path& dir);

}  // namespace lf::bench
