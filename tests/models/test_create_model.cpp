// `llamafactory-cli create-model`: the files it writes, determinism, and
// refusals. Runs the built CLI (LF_CLI, set by CTest).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>

#include "core/atomic_file.h"
#include "models/model_spec.h"
#include "models/param_layout.h"
#include "models/safetensors.h"
#include "test_dir.h"
#include "tiny_model.h"

namespace fs = std::filesystem;
using namespace lf::models;

namespace {

std::string cli() {
  const char* c = std::getenv("LF_CLI");
  return c ? c : LF_BINARY_DIR "/bin/llamafactory-cli";
}

// Exit status and combined output of `llamafactory-cli create-model args`.
std::pair<int, std::string> create(const std::string& args) {
  std::string out;
  std::string cmd = cli() + " create-model " + args + " 2>&1; echo \"exit=$?\"";
  out = run_capture(cmd);
  auto pos = out.rfind("exit=");
  int rc = pos == std::string::npos ? -1 : std::atoi(out.c_str() + pos + 5);
  return {rc, out};
}

}  // namespace

TEST(CreateModel, WritesARealHuggingFaceDirectoryForEachArch) {
  TestDir dir("create_cli");
  fs::path tok = write_test_tokenizer(dir.path() / "tok");
  for (const char* arch : {"llama", "mistral", "qwen2", "qwen3"}) {
    fs::path out = dir.path() / arch;
    auto [rc, log] = create("output_dir=" + out.string() + " arch=" + arch +
                            " hidden_size=32 num_hidden_layers=3 num_attention_heads=4"
                            " num_key_value_heads=1 intermediate_size=48 tokenizer=" +
                            tok.string() + " seed=3 dtype=f32");
    ASSERT_EQ(rc, 0) << log;
    for (const char* f : {"config.json", "generation_config.json", "model.safetensors",
                          "tokenizer.json", "tokenizer_config.json"})
      EXPECT_TRUE(fs::exists(out / f)) << arch << " " << f;

    ModelSpec s = load_model_spec(out);
    EXPECT_EQ(arch_model_type(s.arch), std::string(arch));
    EXPECT_EQ(s.vocab_size, 67);  // 64 vocab entries + 3 added tokens
    EXPECT_EQ(s.num_hidden_layers, 3);
    EXPECT_EQ(s.num_key_value_heads, 1);
    EXPECT_EQ(s.head_dim, 8);
    EXPECT_EQ(s.torch_dtype, lf::DType::f32);
    EXPECT_EQ(s.eos_token_ids, std::vector<int64_t>{66});
    EXPECT_EQ(s.pad_token_id, 64);
    auto gen = nlohmann::json::parse(lf::read_file(out / "generation_config.json"));
    EXPECT_EQ(gen["eos_token_id"], 66);

    std::vector<std::string> expected;
    SafetensorsFile st((out / "model.safetensors").string());
    for (const ParamDesc& p : param_layout(s)) {
      expected.push_back(p.name);
      EXPECT_EQ(st.entry(p.name).shape, p.shape) << p.name;
      EXPECT_EQ(st.entry(p.name).dtype, lf::DType::f32) << p.name;
    }
    EXPECT_EQ(st.entries().size(), expected.size());
    EXPECT_EQ(st.contains("lm_head.weight"), !s.tie_word_embeddings);
    EXPECT_EQ(st.contains("model.layers.0.self_attn.q_proj.bias"), s.arch == Arch::qwen2);
    EXPECT_EQ(st.contains("model.layers.2.self_attn.k_norm.weight"), s.arch == Arch::qwen3);
  }
}

TEST(CreateModel, SameSeedSameBytesOtherSeedOtherWeights) {
  TestDir dir("create_seed");
  fs::path tok = write_test_tokenizer(dir.path() / "tok");
  auto make = [&](const std::string& name, int seed) {
    auto [rc, log] = create("output_dir=" + (dir.path() / name).string() +
                            " arch=qwen2 hidden_size=32 num_attention_heads=2 tokenizer=" +
                            tok.string() + " seed=" + std::to_string(seed));
    EXPECT_EQ(rc, 0) << log;
    return lf::read_file(dir.path() / name / "model.safetensors");
  };
  std::string a = make("a", 1), b = make("b", 1), c = make("c", 2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(SafetensorsFile((dir.path() / "a" / "model.safetensors").string())
                .entry("model.norm.weight").dtype,
            lf::DType::bf16);  // the default dtype
}

TEST(CreateModel, MistakesAreClearErrors) {
  TestDir dir("create_errors");
  fs::path tok = write_test_tokenizer(dir.path() / "tok");
  const std::string base = "output_dir=" + (dir.path() / "m").string() + " tokenizer=" + tok.string();

  auto [rc1, log1] = create(base + " arch=gpt2");
  EXPECT_EQ(rc1, 1);
  EXPECT_NE(log1.find("unknown arch \"gpt2\""), std::string::npos) << log1;

  auto [rc2, log2] = create(base + " hidden_sise=64");
  EXPECT_EQ(rc2, 1);
  EXPECT_NE(log2.find("hidden_size"), std::string::npos) << log2;

  auto [rc3, log3] = create(base + " num_attention_heads=5");
  EXPECT_EQ(rc3, 1);
  EXPECT_NE(log3.find("multiple of num_attention_heads"), std::string::npos) << log3;

  auto [rc4, log4] = create("output_dir=" + (dir.path() / "m").string() + " tokenizer=" +
                            (dir.path() / "nowhere").string());
  EXPECT_EQ(rc4, 1);
  EXPECT_NE(log4.find("no tokenizer.json"), std::string::npos) << log4;

  // An existing non-empty directory is never replaced silently.
  ASSERT_EQ(create(base).first, 0);
  auto [rc5, log5] = create(base + " seed=9");
  EXPECT_EQ(rc5, 1);
  EXPECT_NE(log5.find("overwrite_output_dir=true"), std::string::npos) << log5;
  EXPECT_EQ(create(base + " seed=9 overwrite_output_dir=true").first, 0);
}

TEST(CreateModel, DemoTokenizerIsTheDefault) {
  TestDir dir("create_demo");
  auto [rc, log] = create("output_dir=" + (dir.path() / "m").string() + " arch=llama");
  ASSERT_EQ(rc, 0) << log;
  ModelSpec s = load_model_spec(dir.path() / "m");
  auto demo = nlohmann::json::parse(lf::read_file(fs::path(LF_SOURCE_DIR) / "examples" /
                                                  "demo_tokenizer" / "tokenizer.json"));
  EXPECT_GE(s.vocab_size, static_cast<int64_t>(demo["model"]["vocab"].size()));
  EXPECT_EQ(lf::read_file(dir.path() / "m" / "tokenizer.json"),
            lf::read_file(fs::path(LF_SOURCE_DIR) / "examples" / "demo_tokenizer" / "tokenizer.json"));
}
