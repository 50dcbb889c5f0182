// `llamafactory-cli train-tokenizer output_dir=DIR files=a.json,b.txt
// [vocab_size=4000]`: trains a byte-level BPE with the `qwen` chat tokens and
// writes tokenizer.json + tokenizer_config.json. This is how
// examples/demo_tokenizer is made (see docs/tokenizer.md).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/command.h"
#include "core/error.h"
#include "tokenizer/bpe_trainer.h"

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

void collect_strings(const json& j, std::vector<std::string>& out) {
  if (j.is_string()) {
    out.push_back(j.get<std::string>());
  } else if (j.is_structured()) {
    for (const json& v : j) collect_strings(v, out);
  }
}

// .json: every string value; .jsonl: every string of every line; else the
// whole file as one text.
void read_texts(const fs::path& p, std::vector<std::string>& out) {
  std::ifstream f(p, std::ios::binary);
  LF_CHECK(f, "train-tokenizer: cannot read ", p.string());
  std::ostringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  try {
    if (p.extension() == ".json") {
      collect_strings(json::parse(text), out);
    } else if (p.extension() == ".jsonl") {
      std::istringstream lines(text);
      for (std::string line; std::getline(lines, line);)
        if (!line.empty()) collect_strings(json::parse(line), out);
    } else {
      out.push_back(text);
    }
  } catch (const json::exception& e) {
    lf::fail("train-tokenizer: ", p.string(), " is not valid JSON: ", e.what());
  }
}

void write_file(const fs::path& p, const std::string& content) {
  std::ofstream f(p, std::ios::binary);
  f << content;
  LF_CHECK(f, "train-tokenizer: cannot write ", p.string());
}

int run_train_tokenizer(const std::vector<std::string>& args) {
  std::string output_dir, files;
  lf::tok::BpeTrainerOptions opts;
  for (const std::string& a : args) {
    const size_t eq = a.find('=');
    LF_CHECK(eq != std::string::npos, "train-tokenizer: expected key=value, got '", a, "'");
    const std::string key = a.substr(0, eq), value = a.substr(eq + 1);
    if (key == "output_dir") {
      output_dir = value;
    } else if (key == "files") {
      files = value;
    } else if (key == "vocab_size") {
      opts.vocab_size = std::stoul(value);
    } else if (key == "min_frequency") {
      opts.min_frequency = std::stol(value);
    } else {
      lf::fail("train-tokenizer: unknown key '", key, "' (known: output_dir, files, vocab_size, min_frequency)");
    }
  }
  LF_CHECK(!output_dir.empty() && !files.empty(),
           "usage: llamafactory-cli train-tokenizer output_dir=DIR files=a.json,b.txt [vocab_size=4000]");
  std::vector<std::string> texts;
  std::stringstream list(files);
  for (std::string f; std::getline(list, f, ',');)
    if (!f.empty()) read_texts(f, texts);
  const auto trained = lf::tok::train_bpe(texts, opts);
  fs::create_directories(output_dir);
  write_file(fs::path(output_dir) / "tokenizer.json", trained.tokenizer_json);
  write_file(fs::path(output_dir) / "tokenizer_config.json", trained.tokenizer_config_json);
  std::printf("wrote %s/tokenizer.json: %zu tokens, %zu merges, from %zu texts\n", output_dir.c_str(),
              trained.vocab_size, trained.merges, texts.size());
  return 0;
}

}  // namespace

LF_REGISTER_COMMAND(train_tokenizer, "train-tokenizer",
                    "train a small byte-level BPE tokenizer (how examples/demo_tokenizer is made)",
                    run_train_tokenizer);
