// LoRA on a whole tiny decoder: a fresh adapter (B = 0) leaves the logits
// unchanged, and the gradients reaching A and B through every layer match
// finite differences of the model's loss.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "../models/tiny_model.h"
#include "autograd/grad_mode.h"
#include "autograd/tape.h"
#include "models/decoder.h"
#include "models/lora.h"
#include "ops/ops.h"

using namespace lf;
namespace fs = std::filesystem;

namespace {

struct TinyModel {
  fs::path root;
  models::Decoder model;
};

TinyModel make_model(const std::string& name) {
  fs::path root = fs::temp_directory_path() / ("lf_lora_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(root);
  auto opt = tiny_options(root, models::Arch::qwen2, DType::f32);
  opt.tokenizer = write_test_tokenizer(root / "tok");
  models::create_model(opt);
  return {root, models::Decoder::load(opt.output_dir, {DType::f32, Device::cpu()})};
}

Tensor ids_tensor() { return Tensor::from_ints({3, 17, 42, 5, 9, 11, 60, 2}, {1, 8}, DType::i32); }

float loss_value(const models::Decoder& m) {
  ag::NoGradGuard no_grad;
  Tensor ids = ids_tensor();
  return m.loss(ids, ids, Tensor(), {}, false).value().item();
}

}  // namespace

TEST(Lora, FreshAdapterKeepsTheBaseLogits) {
  TinyModel t = make_model("fresh");
  models::KvCache c1 = t.model.make_cache(1, 8);
  std::vector<float> base = t.model.forward(ids_tensor(), c1, true).to_floats();
  models::LoraConfig cfg;
  cfg.rank = 4;
  auto adapters = models::attach_lora(t.model, cfg, 7);
  EXPECT_EQ(adapters.size(), 2u * 7u) << "q k v o gate up down in each of 2 layers";
  models::KvCache c2 = t.model.make_cache(1, 8);
  std::vector<float> with = t.model.forward(ids_tensor(), c2, true).to_floats();
  ASSERT_EQ(base.size(), with.size());
  for (size_t i = 0; i < base.size(); ++i) ASSERT_EQ(base[i], with[i]) << i;
  fs::remove_all(t.root);
}

TEST(Lora, WholeModelGradientsMatchFiniteDifferences) {
  TinyModel t = make_model("grad");
  models::LoraConfig cfg;
  cfg.rank = 2;
  auto adapters = models::attach_lora(t.model, cfg, 11);
  auto params = models::lora_parameters(adapters);
  // Give B non-zero values so A receives a gradient too.
  for (auto& [name, var] : params) {
    if (name.find("lora_B") == std::string::npos) continue;
    Tensor v = var.value();
    std::vector<float> vals(static_cast<size_t>(v.numel()));
    for (size_t i = 0; i < vals.size(); ++i) vals[i] = 0.05f * std::sin(0.7f * static_cast<float>(i) + 1.0f);
    v.copy_from(Tensor::from_vector(vals, v.shape()));
  }
  Tensor ids = ids_tensor();
  ag::Var loss = t.model.loss(ids, ids, Tensor(), {}, true);
  ag::backward(loss);

  int checked = 0;
  for (auto& [name, var] : params) {
    // One layer-0 and one layer-1 module of each kind of projection is enough.
    if (name.find("q_proj") == std::string::npos && name.find("down_proj") == std::string::npos) continue;
    Tensor value = var.value();
    std::vector<float> grad = var.grad().to_floats();
    for (int64_t idx : {int64_t{0}, value.numel() / 2, value.numel() - 1}) {
      float* p = value.host_data<float>() + idx;
      const float saved = *p, eps = 1e-2f;
      *p = saved + eps;
      float up = loss_value(t.model);
      *p = saved - eps;
      float down = loss_value(t.model);
      *p = saved;
      float fd = (up - down) / (2 * eps);
      EXPECT_NEAR(grad[static_cast<size_t>(idx)], fd, 2e-3f + 0.03f * std::fabs(fd)) << name << "[" << idx << "]";
      checked++;
    }
  }
  EXPECT_EQ(checked, 4 * 2 * 3);
  fs::remove_all(t.root);
}
