// Fixtures shared by the model tests: a small tokenizer.json and tiny models
// made with create-model's library entry point.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <string>

#include "core/atomic_file.h"
#include "models/create_model.h"

// A 64-token byte-level-style vocabulary plus three added special tokens
// (ids 64..66), with a tokenizer_config.json naming eos and pad.
inline std::filesystem::path write_test_tokenizer(const std::filesystem::path& dir) {
  nlohmann::json vocab = nlohmann::json::object();
  for (int i = 0; i < 64; ++i) vocab[std::string(1, static_cast<char>('0' + i))] = i;
  nlohmann::json tok = {
      {"version", "1.0"},
      {"added_tokens",
       {{{"id", 64}, {"content", "<|endoftext|>"}, {"special", true}},
        {{"id", 65}, {"content", "<|im_start|>"}, {"special", true}},
        {{"id", 66}, {"content", "<|im_end|>"}, {"special", true}}}},
      {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", nlohmann::json::array()}}}};
  std::filesystem::create_directories(dir);
  lf::write_file_atomic(dir / "tokenizer.json", tok.dump());
  lf::write_file_atomic(dir / "tokenizer_config.json",
                        R"({"eos_token": "<|im_end|>", "pad_token": {"content": "<|endoftext|>"}})");
  return dir;
}

inline lf::models::CreateModelOptions tiny_options(const std::filesystem::path& root,
                                                   lf::models::Arch arch, lf::DType dtype) {
  lf::models::CreateModelOptions o;
  o.output_dir = root / "model";
  o.arch = arch;
  o.hidden_size = 64;
  o.num_hidden_layers = 2;
  o.num_attention_heads = 4;
  o.num_key_value_heads = 2;
  o.intermediate_size = 96;
  o.max_position_embeddings = 128;
  o.tokenizer = write_test_tokenizer(root / "tok");
  o.seed = 7;
  o.dtype = dtype;
  return o;
}

// Runs a shell command and returns its standard output.
inline std::string run_capture(const std::string& cmd) {
  std::string out;
  if (std::FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}
