// additional_target (PEFT's modules_to_save): the named modules are trained
// fully beside the LoRA factors, saved in the adapter under PEFT's names and
// listed in adapter_config.json, replace the base weights when the adapter is
// loaded, and resume exactly from a checkpoint.
#include <gtest/gtest.h>

#include <fstream>

#include "models/decoder.h"
#include "models/lora.h"
#include "models/safetensors.h"
#include "train_fixture.h"

using lf::test::TrainDir;
namespace fs = std::filesystem;
using namespace lf;

namespace {

constexpr const char* kEmbed = "base_model.model.model.embed_tokens.weight";

float max_abs_diff(const Tensor& a, const Tensor& b) {
  std::vector<float> av = a.to_floats(), bv = b.to_floats();
  EXPECT_EQ(av.size(), bv.size());
  float m = 0;
  for (size_t i = 0; i < av.size() && i < bv.size(); ++i) m = std::max(m, std::abs(av[i] - bv[i]));
  return m;
}

}  // namespace

TEST(AdditionalTarget, TrainedSavedInPeftNamingAndReloaded) {
  TrainDir d;
  auto r = d.train("output_dir=out max_steps=4 additional_target=embed_tokens,norm");
  ASSERT_EQ(r.status, 0) << r.out;

  auto cfg = nlohmann::json::parse(std::ifstream(d.path() / "out" / "adapter_config.json"));
  EXPECT_EQ(cfg["modules_to_save"], nlohmann::json({"embed_tokens", "norm"}));

  // PEFT matches modules_to_save by suffix, so "norm" takes every norm.
  auto adapter = models::WeightSet::open(d.path() / "out" / "adapter_model.safetensors");
  for (const char* name : {kEmbed, "base_model.model.model.norm.weight",
                           "base_model.model.model.layers.0.input_layernorm.weight",
                           "base_model.model.model.layers.1.post_attention_layernorm.weight",
                           "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"}) {
    EXPECT_TRUE(adapter.contains(name)) << name;
  }
  EXPECT_FALSE(adapter.contains("base_model.model.model.layers.0.self_attn.q_proj.weight"));

  auto base = models::WeightSet::open(d.path() / "model" / "model.safetensors");
  Tensor base_embed = base.load("model.embed_tokens.weight", DType::f32);
  Tensor trained_embed = adapter.load(kEmbed, DType::f32);
  EXPECT_GT(max_abs_diff(base_embed, trained_embed), 1e-4f) << "the embedding was not trained";

  models::Decoder model = models::Decoder::load(d.path() / "model", {DType::f32, Device::cpu()});
  models::LoraConfig loaded;
  models::load_peft_adapter(d.path() / "out", model, false, &loaded);
  EXPECT_EQ(loaded.modules_to_save, (std::vector<std::string>{"embed_tokens", "norm"}));
  Tensor in_model;
  for (auto& [name, var] : model.named_weights())
    if (name == "model.embed_tokens.weight") in_model = var->value();
  ASSERT_TRUE(in_model.defined());
  EXPECT_EQ(max_abs_diff(in_model, trained_embed), 0.0f);
}

TEST(AdditionalTarget, ResumeGivesTheSameLosses) {
  TrainDir d;
  const std::string args = "max_steps=4 save_steps=2 additional_target=embed_tokens ";
  auto full = d.train("output_dir=a " + args);
  ASSERT_EQ(full.status, 0) << full.out;
  auto resumed = d.train("output_dir=b " + args + "resume_from_checkpoint=a/checkpoint-2");
  ASSERT_EQ(resumed.status, 0) << resumed.out;
  auto la = d.losses("a"), lb = d.losses("b");
  ASSERT_EQ(la.size(), 4u);
  ASSERT_EQ(lb.size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_NEAR(la[i + 2], lb[i], 1e-4) << "step " << i + 3;
}

TEST(AdditionalTarget, ContinuedAdapterKeepsTrainingItsModules) {
  TrainDir d;
  auto first = d.train("output_dir=a max_steps=2 additional_target=embed_tokens");
  ASSERT_EQ(first.status, 0) << first.out;
  auto next = d.train("output_dir=b max_steps=2 adapter_name_or_path=a");
  ASSERT_EQ(next.status, 0) << next.out;
  auto cfg = nlohmann::json::parse(std::ifstream(d.path() / "b" / "adapter_config.json"));
  EXPECT_EQ(cfg["modules_to_save"], nlohmann::json({"embed_tokens"}));
  Tensor before = models::WeightSet::open(d.path() / "a" / "adapter_model.safetensors").load(kEmbed, DType::f32);
  Tensor after = models::WeightSet::open(d.path() / "b" / "adapter_model.safetensors").load(kEmbed, DType::f32);
  EXPECT_GT(max_abs_diff(before, after), 1e-5f) << "the loaded module was not trained further";
}

TEST(AdditionalTarget, UnknownModuleIsRefused) {
  TrainDir d;
  auto r = d.train("output_dir=o max_steps=1 additional_target=nonesuch");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("additional_target: no module of this model ends with nonesuch"),
            std::string::npos)
      << r.out;
}
