// config.json parsing, the generated config.json, and rope_scaling frequencies.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/error.h"
#include "models/model_spec.h"

using namespace lf::models;

namespace {

// Trimmed from Qwen/Qwen2.5-0.5B-Instruct's config.json.
const char* kQwen25 = R"({
  "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
  "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
  "num_attention_heads": 14, "num_key_value_heads": 2, "max_position_embeddings": 32768,
  "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768,
  "use_sliding_window": false, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
  "vocab_size": 151936, "bos_token_id": 151643, "eos_token_id": 151645, "hidden_act": "silu"})";

// Trimmed from meta-llama/Llama-3.2-1B's config.json.
const char* kLlama32 = R"({
  "architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 128000,
  "eos_token_id": [128001, 128008, 128009], "head_dim": 64, "hidden_act": "silu",
  "hidden_size": 2048, "intermediate_size": 8192, "max_position_embeddings": 131072,
  "mlp_bias": false, "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8,
  "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0,
  "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
  "vocab_size": 128256})";

std::string parse_error(const std::string& json) {
  try {
    parse_model_spec(json, "/m/config.json");
  } catch (const lf::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << json;
  return "";
}

}  // namespace

TEST(ModelSpec, ParsesQwen25) {
  ModelSpec s = parse_model_spec(kQwen25, "q/config.json");
  EXPECT_EQ(s.arch, Arch::qwen2);
  EXPECT_EQ(s.head_dim, 64);
  EXPECT_EQ(s.num_key_value_heads, 2);
  EXPECT_TRUE(s.qkv_bias);
  EXPECT_FALSE(s.o_bias);
  EXPECT_FALSE(s.qk_norm);
  EXPECT_TRUE(s.tie_word_embeddings);
  EXPECT_FALSE(s.sliding_window.has_value());  // use_sliding_window: false
  EXPECT_EQ(s.torch_dtype, lf::DType::bf16);
  EXPECT_EQ(s.eos_token_ids, std::vector<int64_t>{151645});
  EXPECT_DOUBLE_EQ(s.rope_theta, 1e6);
}

TEST(ModelSpec, ParsesLlama32WithLlama3Scaling) {
  ModelSpec s = parse_model_spec(kLlama32, "l/config.json");
  EXPECT_EQ(s.arch, Arch::llama);
  EXPECT_EQ(s.rope_scaling.kind, "llama3");
  EXPECT_EQ(s.rope_scaling.original_max_position_embeddings, 8192);
  EXPECT_EQ(s.eos_token_ids, (std::vector<int64_t>{128001, 128008, 128009}));
  EXPECT_EQ(s.bos_token_id, 128000);

  RopeFrequencies r = rope_frequencies(s, 16);
  ASSERT_EQ(r.inv_freq.size(), 32u);
  // Highest frequency: wavelength 2*pi < 8192/4, kept.
  EXPECT_FLOAT_EQ(r.inv_freq[0], 1.0f);
  // Lowest: wavelength > 8192, divided by the factor.
  double last = 1.0 / std::pow(500000.0, 62.0 / 64.0);
  EXPECT_FLOAT_EQ(r.inv_freq[31], static_cast<float>(last / 32.0));
  // A frequency in the blended band (wavelength between 2048 and 8192).
  for (size_t i = 0; i < 32; ++i) {
    double f = 1.0 / std::pow(500000.0, 2.0 * i / 64.0);
    double wl = 2 * std::numbers::pi / f;
    if (wl < 2048 || wl > 8192) continue;
    double smooth = (8192 / wl - 1.0) / 3.0;
    EXPECT_NEAR(r.inv_freq[i], (1 - smooth) * f / 32 + smooth * f, 1e-7 * f) << i;
  }
  EXPECT_EQ(r.attention_factor, 1.0f);
}

TEST(ModelSpec, Qwen3HasQkNormAndExplicitHeadDim) {
  ModelSpec s = parse_model_spec(R"({"architectures":["Qwen3ForCausalLM"],"vocab_size":100,
    "hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,"num_attention_heads":4,
    "num_key_value_heads":2,"head_dim":32,"rope_theta":1000000,"torch_dtype":"float32"})",
                                 "c");
  EXPECT_EQ(s.arch, Arch::qwen3);
  EXPECT_TRUE(s.qk_norm);
  EXPECT_FALSE(s.qkv_bias);
  EXPECT_EQ(s.head_dim, 32);
  EXPECT_EQ(s.num_key_value_heads, 2);
}

TEST(ModelSpec, MistralSlidingWindow) {
  ModelSpec s = parse_model_spec(R"({"architectures":["MistralForCausalLM"],"vocab_size":100,
    "hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,"num_attention_heads":4,
    "num_key_value_heads":1,"sliding_window":4096})",
                                 "c");
  EXPECT_EQ(s.sliding_window, 4096);
  EXPECT_EQ(s.head_dim, 16);
  EXPECT_EQ(s.torch_dtype, lf::DType::f32);  // transformers' default when absent
}

TEST(ModelSpec, LinearDynamicAndYarnScaling) {
  ModelSpec s = parse_model_spec(kQwen25, "q");
  const auto plain = rope_frequencies(s, 10).inv_freq;
  EXPECT_FLOAT_EQ(plain[1], static_cast<float>(std::pow(1e6, -2.0 / 64)));

  s.rope_scaling.kind = "linear";
  s.rope_scaling.factor = 4;
  EXPECT_FLOAT_EQ(rope_frequencies(s, 10).inv_freq[1], plain[1] / 4);

  s.rope_scaling.kind = "dynamic";
  EXPECT_EQ(rope_frequencies(s, 100).inv_freq, plain);  // within the trained length
  double base = 1e6 * std::pow(4.0 * 65536 / 32768 - 3.0, 64.0 / 62.0);
  EXPECT_FLOAT_EQ(rope_frequencies(s, 65536).inv_freq[1],
                  static_cast<float>(std::pow(base, -2.0 / 64)));

  // Qwen2.5's documented YaRN setting: factor 4 over 32768 positions.
  s.rope_scaling.kind = "yarn";
  s.rope_scaling.original_max_position_embeddings = 32768;
  RopeFrequencies y = rope_frequencies(s, 10);
  EXPECT_FLOAT_EQ(y.attention_factor, static_cast<float>(0.1 * std::log(4.0) + 1.0));
  EXPECT_FLOAT_EQ(y.inv_freq[0], plain[0]);          // extrapolated (high frequency)
  EXPECT_FLOAT_EQ(y.inv_freq[31], plain[31] / 4.0f);  // interpolated (low frequency)
}

TEST(ModelSpec, GeneratedConfigParsesBackToTheSameSpec) {
  for (const char* cfg : {kQwen25, kLlama32}) {
    ModelSpec a = parse_model_spec(cfg, "a");
    ModelSpec b = parse_model_spec(model_spec_to_json(a), "b");
    EXPECT_EQ(b.arch, a.arch);
    EXPECT_EQ(b.vocab_size, a.vocab_size);
    EXPECT_EQ(b.head_dim, a.head_dim);
    EXPECT_EQ(b.num_key_value_heads, a.num_key_value_heads);
    EXPECT_EQ(b.rope_scaling.kind, a.rope_scaling.kind);
    EXPECT_EQ(b.rope_scaling.factor, a.rope_scaling.factor);
    EXPECT_EQ(b.qkv_bias, a.qkv_bias);
    EXPECT_EQ(b.tie_word_embeddings, a.tie_word_embeddings);
    EXPECT_EQ(b.torch_dtype, a.torch_dtype);
    EXPECT_EQ(b.eos_token_ids, a.eos_token_ids);
    EXPECT_EQ(rope_frequencies(b, 10).inv_freq, rope_frequencies(a, 10).inv_freq);
  }
}

TEST(ModelSpec, BadConfigsAreErrorsNamingFileAndKey) {
  std::string e = parse_error(R"({"architectures":["ChatGLMModel"],"vocab_size":1})");
  EXPECT_NE(e.find("ChatGLMModel"), std::string::npos) << e;
  EXPECT_NE(e.find("LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM"),
            std::string::npos) << e;
  EXPECT_NE(e.find("/m/config.json"), std::string::npos) << e;

  EXPECT_NE(parse_error("{\"architectures\": [").find("well-formed"), std::string::npos);
  EXPECT_NE(parse_error("{}").find("architectures"), std::string::npos);
  const std::string base = R"("architectures":["LlamaForCausalLM"],"vocab_size":10,
    "hidden_size":64,"intermediate_size":128,"num_hidden_layers":2)";
  EXPECT_NE(parse_error("{" + base + "}").find("num_attention_heads"), std::string::npos);
  EXPECT_NE(parse_error("{" + base + R"(,"num_attention_heads":"4"})").find("integer"),
            std::string::npos);
  EXPECT_NE(parse_error("{" + base + R"(,"num_attention_heads":4,"num_key_value_heads":3})")
                .find("multiple"),
            std::string::npos);
  EXPECT_NE(parse_error("{" + base + R"(,"num_attention_heads":5})").find("head_dim"),
            std::string::npos);
  EXPECT_NE(parse_error("{" + base + R"(,"num_attention_heads":4,"rope_scaling":{"type":"longrope","factor":2}})")
                .find("longrope"),
            std::string::npos);
  EXPECT_NE(parse_error("{" + base + R"(,"num_attention_heads":4,"hidden_act":"gelu"})")
                .find("gelu"),
            std::string::npos);
  EXPECT_NE(parse_error("{" + base + R"(,"num_attention_heads":4,"torch_dtype":"int8"})")
                .find("torch_dtype"),
            std::string::npos);
}

TEST(ModelSpec, Transformers5RopeParameters) {
  ModelSpec s = parse_model_spec(R"({"architectures":["Qwen2ForCausalLM"],"vocab_size":100,
    "hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,"num_attention_heads":4,
    "rope_parameters":{"rope_type":"yarn","rope_theta":50000.0,"factor":2.0,
    "original_max_position_embeddings":1024}})",
                                 "c");
  EXPECT_DOUBLE_EQ(s.rope_theta, 50000.0);
  EXPECT_EQ(s.rope_scaling.kind, "yarn");
  EXPECT_EQ(s.rope_scaling.original_max_position_embeddings, 1024);
}
