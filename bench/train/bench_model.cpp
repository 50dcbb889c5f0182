#include "bench_model.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "models/create_model.h"

namespace fs = std::filesystem;

namespace lf::bench {
namespace {

constexpr int64_t kVocab = 32000;  // Llama 2's vocabulary size

// create-model takes its vocabulary size from a tokenizer.json. The benchmark
// feeds random ids and never tokenizes text, so a placeholder vocabulary of
// 32000 distinct tokens is enough and needs no download.
fs::path write_placeholder_tokenizer(const fs::path& dir) {
  nlohmann::json vocab = nlohmann::json::object();
  for (int64_t i = 0; i < kVocab; ++i) vocab["<tok" + std::to_string(i) + ">"] = i;
  nlohmann::json tok = {{"version", "1.0"},
                        {"added_tokens", nlohmann::json::array()},
                        {"model", {{"type", "BPE"}, {"vocab", vocab},
                                   {"merges", nlohmann::json::array()}}}};
  fs::create_directories(dir);
  fs::path file = dir / "tokenizer.json";
  std::ofstream(file) << tok.dump() << "\n";
  return file;
}

void create(const fs::path& dir) {
  models::CreateModelOptions o;
  o.output_dir = dir;
  o.arch = models::Arch::llama;
  o.hidden_size = 768;
  o.num_hidden_layers = 12;
  o.num_attention_heads = 12;
  o.num_key_value_heads = 12;
  o.intermediate_size = 2048;
  o.tokenizer = write_placeholder_tokenizer(dir.string() + "-tokenizer");
  o.dtype = DType::bf16;
  models::create_model(o);
}

}  // namespace

void ensure_bench_model(const fs::path& dir) {
  if (fs::exists(dir / "config.json") && fs::exists(dir / "model.safetensors")) return;
  std::fflush(nullptr);
  pid_t pid = fork();
  LF_CHECK(pid >= 0, "bench_train: fork failed while creating the model in ", dir.string());
  if (pid == 0) {
    int rc = 0;
    try {
      create(dir);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench_train: creating the model failed: %s\n", e.what());
      rc = 1;
    }
    std::fflush(nullptr);
    _exit(rc);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  LF_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "bench_train: could not create the benchmark model in ", dir.string());
}

}  // namespace lf::bench
