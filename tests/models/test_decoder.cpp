// The decoder against an independent numpy forward pass, the KV cache against
// the full-sequence forward, and the training loss with and without
// gradient checkpointing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>

#include "autograd/autograd.h"
#include "core/error.h"
#include "models/decoder.h"
#include "models/safetensors.h"
#include "test_dir.h"
#include "tiny_model.h"

namespace fs = std::filesystem;
using namespace lf::models;
using lf::DType;
using lf::Tensor;

namespace {

const std::vector<std::vector<int64_t>> kSeqs = {{1, 5, 9, 64, 2, 33, 66}, {65, 3, 3, 17, 40, 8, 12}};
const std::vector<std::vector<int64_t>> kLabels = {{-100, -100, 9, 64, 2, 33, 66},
                                                   {-100, 3, 3, 17, -100, 8, 12}};

std::string join(const std::vector<std::vector<int64_t>>& seqs) {
  std::string s;
  for (const auto& seq : seqs) {
    if (!s.empty()) s += ';';
    for (size_t i = 0; i < seq.size(); ++i) {
      if (i) s += ',';
      s += std::to_string(seq[i]);
    }
  }
  return s;
}

Tensor batch(const std::vector<std::vector<int64_t>>& seqs) {
  std::vector<int64_t> flat;
  for (const auto& s : seqs) flat.insert(flat.end(), s.begin(), s.end());
  return Tensor::from_ints(flat, {static_cast<int64_t>(seqs.size()),
                                  static_cast<int64_t>(seqs[0].size())});
}

// Debian's python3-numpy lives with /usr/bin/python3; a python3 earlier on
// PATH (pyenv, venv) may lack numpy.
std::string python() { return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

nlohmann::json reference(const fs::path& model, bool with_labels) {
  std::string cmd = python() + " " LF_SOURCE_DIR "/tests/models/reference_forward.py '" +
                    model.string() + "' '" + join(kSeqs) + "'";
  if (with_labels) cmd += " '" + join(kLabels) + "'";
  std::string out = run_capture(cmd);
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.contains("logits")) {
    ADD_FAILURE() << "reference_forward.py (needs python3-numpy) printed no result: " << out;
    return {{"logits", nlohmann::json::array()}, {"loss", NAN}};
  }
  return j;
}

// max |ours - reference| over all logits, and the largest |reference| for scale.
std::pair<double, double> compare_logits(const Tensor& logits, const nlohmann::json& ref) {
  std::vector<float> ours = logits.to_floats();
  double worst = 0, scale = 0;
  size_t i = 0;
  for (const auto& seq : ref["logits"])
    for (const auto& row : seq)
      for (const auto& v : row) {
        double r = v.get<double>();
        worst = std::max(worst, std::abs(ours.at(i++) - r));
        scale = std::max(scale, std::abs(r));
      }
  EXPECT_EQ(i, ours.size());
  return {worst, scale};
}

void patch_config(const fs::path& model, const nlohmann::json& changes) {
  auto cfg = nlohmann::json::parse(lf::read_file(model / "config.json"));
  cfg.merge_patch(changes);
  lf::write_file_atomic(model / "config.json", cfg.dump(2));
}

struct Case {
  Arch arch;
  const char* rope_scaling;  // JSON patched into config.json, "" for none
};

class DecoderMatchesReference : public ::testing::TestWithParam<Case> {};

}  // namespace

// f32 compute against a float64 reference: differences are f32 rounding
// (about 2e-7 on these models); the bound is 2e-6 of max(1, largest logit),
// tight enough that a 0.1% error in the rotary sine fails every case.
TEST_P(DecoderMatchesReference, F32LogitsAndLoss) {
  const Case c = GetParam();
  TestDir dir(std::string("dec_ref_") + arch_model_type(c.arch) + (c.rope_scaling[0] ? "_rope" : ""));
  auto opt = tiny_options(dir.path(), c.arch, DType::f32);
  create_model(opt);
  if (c.rope_scaling[0]) patch_config(opt.output_dir, nlohmann::json::parse(c.rope_scaling));

  Decoder m = Decoder::load(opt.output_dir, {DType::f32, lf::Device::cpu()});
  KvCache cache = m.make_cache(2, 16);
  Tensor logits = m.forward(batch(kSeqs), cache, /*all_positions=*/true);
  ASSERT_EQ(logits.shape(), (lf::Shape{2, 7, m.spec().vocab_size}));

  auto ref = reference(opt.output_dir, true);
  auto [worst, scale] = compare_logits(logits, ref);
  EXPECT_GT(scale, 0.05);  // the model is not degenerate
  EXPECT_LE(worst, 2e-6 * std::max(scale, 1.0)) << "scale " << scale;

  lf::ops::AttentionParams attn;
  float loss = m.loss(batch(kSeqs), batch(kLabels), Tensor(), attn, false).value().item();
  EXPECT_NEAR(loss, ref["loss"].get<double>(), 1e-4);

  // Stacked q|k|v and gate|up products (inference) give the same logits; the
  // training path, on the row views they leave behind, the same loss.
  m.prepare_inference();
  KvCache fused_cache = m.make_cache(2, 16);
  auto [fused_worst, fused_scale] = compare_logits(m.forward(batch(kSeqs), fused_cache, true), ref);
  EXPECT_LE(fused_worst, 2e-6 * std::max(fused_scale, 1.0));
  EXPECT_EQ(m.loss(batch(kSeqs), batch(kLabels), Tensor(), attn, false).value().item(), loss);
}

INSTANTIATE_TEST_SUITE_P(
    Archs, DecoderMatchesReference,
    ::testing::Values(
        Case{Arch::llama, ""}, Case{Arch::mistral, ""}, Case{Arch::qwen2, ""}, Case{Arch::qwen3, ""},
        Case{Arch::llama, R"({"rope_scaling": {"rope_type": "llama3", "factor": 8.0,
              "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64}})"},
        Case{Arch::qwen2, R"({"rope_scaling": {"type": "yarn", "factor": 4.0,
              "original_max_position_embeddings": 64}})"},
        Case{Arch::mistral, R"({"max_position_embeddings": 4,
              "rope_scaling": {"rope_type": "dynamic", "factor": 2.0}})"},
        Case{Arch::qwen3, R"({"rope_scaling": {"rope_type": "linear", "factor": 3.0}})"}),
    [](const auto& info) {
      return std::string(arch_model_type(info.param.arch)) +
             (info.param.rope_scaling[0] ? "_scaled_rope" : "");
    });

// bf16 weights and compute: every op rounds its output to 8 mantissa bits
// (about 0.3% of the largest logit here); the bound is 1%.
TEST(Decoder, Bf16ComputeStaysCloseToTheReference) {
  TestDir dir("dec_bf16");
  auto opt = tiny_options(dir.path(), Arch::qwen2, DType::bf16);
  create_model(opt);
  Decoder m = Decoder::load(opt.output_dir, {DType::bf16, lf::Device::cpu()});
  KvCache cache = m.make_cache(2, 8);
  auto [worst, scale] = compare_logits(m.forward(batch(kSeqs), cache, true), reference(opt.output_dir, false));
  EXPECT_LE(worst, 0.01 * scale) << "scale " << scale;
}

TEST(Decoder, KvCacheDecodeEqualsFullSequence) {
  for (Arch arch : {Arch::llama, Arch::qwen3}) {
    TestDir dir(std::string("dec_kv_") + arch_model_type(arch));
    auto opt = tiny_options(dir.path(), arch, DType::f32);
    create_model(opt);
    Decoder m = Decoder::load(opt.output_dir, {DType::f32, lf::Device::cpu()});
    const int64_t V = m.spec().vocab_size;

    KvCache full_cache = m.make_cache(2, 7);
    std::vector<float> full = m.forward(batch(kSeqs), full_cache, true).to_floats();

    KvCache cache = m.make_cache(2, 7);
    Tensor ids = batch(kSeqs);
    std::vector<float> step = m.forward(ids.slice(1, 0, 4), cache).to_floats();  // prefill 4
    for (int64_t t = 3; t < 7; ++t) {
      ASSERT_EQ(static_cast<int64_t>(step.size()), 2 * V);
      for (int64_t b = 0; b < 2; ++b)
        for (int64_t v = 0; v < V; ++v)
          ASSERT_NEAR(step[b * V + v], full[(b * 7 + t) * V + v], 1e-5)
              << arch_model_type(arch) << " position " << t << " row " << b;
      if (t + 1 < 7) step = m.forward(ids.slice(1, t + 1, t + 2).contiguous(), cache).to_floats();
    }
    EXPECT_EQ(cache.length(), 7);
    EXPECT_THROW(m.forward(ids.slice(1, 0, 1).contiguous(), cache), lf::Error);  // cache full
  }
}

TEST(Decoder, CheckpointingChangesNeitherLossNorGradients) {
  TestDir dir("dec_ckpt");
  auto opt = tiny_options(dir.path(), Arch::qwen3, DType::f32);
  create_model(opt);
  Decoder m = Decoder::load(opt.output_dir, {DType::f32, lf::Device::cpu()});
  for (auto& [name, var] : m.named_weights()) *var = lf::ag::Var::parameter(var->value());

  auto run = [&](bool ckpt) {
    for (auto& [name, var] : m.named_weights()) var->clear_grad();
    lf::ops::AttentionParams attn;
    lf::ag::Var loss = m.loss(batch(kSeqs), batch(kLabels), Tensor(), attn, ckpt);
    lf::ag::backward(loss);
    std::vector<std::vector<float>> grads;
    for (auto& [name, var] : m.named_weights()) {
      EXPECT_TRUE(var->grad().defined()) << name;
      grads.push_back(var->grad().to_floats());
    }
    return std::make_pair(loss.value().item(), grads);
  };
  auto [loss_plain, grads_plain] = run(false);
  auto [loss_ckpt, grads_ckpt] = run(true);
  EXPECT_FLOAT_EQ(loss_plain, loss_ckpt);
  ASSERT_EQ(grads_plain.size(), grads_ckpt.size());
  double norm = 0;
  for (size_t i = 0; i < grads_plain.size(); ++i)
    for (size_t j = 0; j < grads_plain[i].size(); ++j) {
      EXPECT_NEAR(grads_plain[i][j], grads_ckpt[i][j], 1e-6);
      norm += grads_plain[i][j] * grads_plain[i][j];
    }
  EXPECT_GT(norm, 0.0);
}

TEST(Decoder, WeightNamesMatchTheCheckpointExactly) {
  TestDir dir("dec_names");
  auto opt = tiny_options(dir.path(), Arch::llama, DType::bf16);
  create_model(opt);
  Decoder m = Decoder::load(opt.output_dir, {DType::f32, lf::Device::cpu()});
  std::vector<std::string> ours;
  for (auto& [name, var] : m.named_weights()) {
    ours.push_back(name);
    EXPECT_EQ(var->dtype(), DType::f32) << name;
  }
  std::sort(ours.begin(), ours.end());
  EXPECT_EQ(ours, WeightSet::open(opt.output_dir).names());
  EXPECT_EQ(m.named_linears().size(), 14u);  // 7 per layer, lm_head excluded
}

TEST(Decoder, CheckpointsThatDisagreeWithConfigAreErrors) {
  TestDir dir("dec_bad");
  auto opt = tiny_options(dir.path(), Arch::llama, DType::f32);
  create_model(opt);
  const fs::path st = opt.output_dir / "model.safetensors";
  std::vector<NamedTensor> tensors;
  {
    SafetensorsFile f(st.string());
    for (const auto& e : f.entries())
      if (e.name != "model.layers.1.mlp.up_proj.weight")
        tensors.emplace_back(e.name, f.load(e.name, DType::f32));
  }
  write_safetensors(st, tensors);
  try {
    Decoder::load(opt.output_dir, {DType::f32, lf::Device::cpu()});
    ADD_FAILURE() << "loaded a checkpoint missing a tensor";
  } catch (const lf::Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.layers.1.mlp.up_proj.weight"), std::string::npos)
        << e.what();
  }

  patch_config(opt.output_dir, {{"intermediate_size", 100}});
  tensors.emplace_back("model.layers.1.mlp.up_proj.weight",
                       Tensor::from_vector(std::vector<float>(100 * 64), {100, 64}));
  write_safetensors(st, tensors);
  try {
    Decoder::load(opt.output_dir, {DType::f32, lf::Device::cpu()});
    ADD_FAILURE() << "loaded a checkpoint with wrong shapes";
  } catch (const lf::Error& e) {
    EXPECT_NE(std::string(e.what()).find("has shape [96, 64] but config.json implies [100, 64]"),
              std::string::npos)
        << e.what();
  }
}

TEST(Decoder, SequencesBeyondTheSlidingWindowAreRefused) {
  TestDir dir("dec_window");
  auto opt = tiny_options(dir.path(), Arch::mistral, DType::f32);
  create_model(opt);
  patch_config(opt.output_dir, {{"sliding_window", 4}});
  Decoder m = Decoder::load(opt.output_dir, {DType::f32, lf::Device::cpu()});
  KvCache cache = m.make_cache(2, 8);
  EXPECT_THROW(m.forward(batch(kSeqs), cache), lf::Error);
}

namespace {

// Adds `delta` to a projection's output and counts its calls: the shape of
// LoRA's additive term, without LoRA itself.
class ShiftAdapter : public LinearAdapter {
 public:
  explicit ShiftAdapter(float delta) : delta_(delta) {}
  lf::ag::Var apply(const lf::ag::Var&, const lf::ag::Var& base_out) const override {
    ++calls;
    Tensor shift = lf::ops::full(base_out.shape(), delta_, base_out.dtype(), base_out.value().device());
    return lf::ag::add(base_out, lf::ag::Var(shift));
  }
  mutable int calls = 0;

 private:
  float delta_;
};

}  // namespace

TEST(Decoder, AdaptersAttachedToLinearsJoinTheForward) {
  TestDir dir("dec_adapter");
  auto opt = tiny_options(dir.path(), Arch::llama, DType::f32);
  create_model(opt);
  Decoder m = Decoder::load(opt.output_dir, {DType::f32, lf::Device::cpu()});
  KvCache c0 = m.make_cache(2, 7);
  std::vector<float> plain = m.forward(batch(kSeqs), c0).to_floats();

  auto zero = std::make_shared<ShiftAdapter>(0.0f);
  for (auto& [name, lin] : m.named_linears()) lin->adapter = zero;
  KvCache c1 = m.make_cache(2, 7);
  EXPECT_EQ(m.forward(batch(kSeqs), c1).to_floats(), plain);
  EXPECT_EQ(zero->calls, 14);  // 7 linears x 2 layers

  m.named_linears()[0].second->adapter = std::make_shared<ShiftAdapter>(0.5f);
  KvCache c2 = m.make_cache(2, 7);
  EXPECT_NE(m.forward(batch(kSeqs), c2).to_floats(), plain);
}

TEST(Decoder, ShardedCheckpointsLoadTheSameModel) {
  TestDir dir("dec_sharded");
  auto opt = tiny_options(dir.path(), Arch::qwen2, DType::f32);
  create_model(opt);
  Decoder single = Decoder::load(opt.output_dir, {DType::f32, lf::Device::cpu()});
  KvCache c0 = single.make_cache(2, 7);
  std::vector<float> expect = single.forward(batch(kSeqs), c0).to_floats();

  std::vector<NamedTensor> tensors;
  for (const auto& name : WeightSet::open(opt.output_dir).names())
    tensors.emplace_back(name, WeightSet::open(opt.output_dir).load(name, DType::f32));
  fs::remove(opt.output_dir / "model.safetensors");
  auto files = write_safetensors_sharded(opt.output_dir, tensors, 40000);
  ASSERT_GT(files.size(), 3u);  // several shards + the index

  Decoder sharded = Decoder::load(opt.output_dir, {DType::f32, lf::Device::cpu()});
  KvCache c1 = sharded.make_cache(2, 7);
  EXPECT_EQ(sharded.forward(batch(kSeqs), c1).to_floats(), expect);
  KvCache c2 = sharded.make_cache(2, 7);
  auto [worst, scale] = compare_logits(sharded.forward(batch(kSeqs), c2, true),
                                       reference(opt.output_dir, false));
  EXPECT_LE(worst, 2e-6 * std::max(scale, 1.0));  // the reference reads the shards too
}
