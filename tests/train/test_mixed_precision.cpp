// Mixed-precision full and freeze fine-tuning: with bf16 the trainable weights
// stay f32 masters (saved as f32) while the products run in bf16, the loss
// falls, and the losses follow an f32 run of the same settings.
#include <gtest/gtest.h>

#include "models/safetensors.h"
#include "train_fixture.h"

using lf::test::TrainDir;
using namespace lf;

namespace {

constexpr const char* kOverfit =
    "max_steps=12 max_samples=2 learning_rate=2e-3 lr_scheduler_type=constant ";

}  // namespace

TEST(MixedPrecision, FullFineTuningInBf16FollowsF32) {
  TrainDir d;
  auto f32 = d.train(std::string("output_dir=f32 finetuning_type=full ") + kOverfit);
  ASSERT_EQ(f32.status, 0) << f32.out;
  auto bf16 = d.train(std::string("output_dir=bf16 finetuning_type=full bf16=true ") + kOverfit);
  ASSERT_EQ(bf16.status, 0) << bf16.out;
  EXPECT_NE(bf16.out.find("compute dtype: bfloat16"), std::string::npos) << bf16.out;

  auto a = d.losses("f32"), b = d.losses("bf16");
  ASSERT_EQ(a.size(), 12u);
  ASSERT_EQ(b.size(), 12u);
  EXPECT_LT(b.back(), 0.5 * b.front()) << "first " << b.front() << " last " << b.back();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(b[i], a[i], 0.02 * a[i] + 0.02) << "step " << i + 1;
  // bf16 rounding shows: the runs are not the same computation.
  EXPECT_NE(a, b);

  auto saved = models::WeightSet::open(d.path() / "bf16");
  for (const auto& name : saved.names()) EXPECT_EQ(saved.entry(name).dtype, DType::f32) << name;
}

TEST(MixedPrecision, FreezeFineTuningInBf16Trains) {
  TrainDir d;
  auto r = d.train(std::string("output_dir=fz finetuning_type=freeze freeze_trainable_layers=1 "
                               "bf16=true ") + kOverfit);
  ASSERT_EQ(r.status, 0) << r.out;
  auto l = d.losses("fz");
  ASSERT_EQ(l.size(), 12u);
  EXPECT_LT(l.back(), 0.8 * l.front()) << "first " << l.front() << " last " << l.back();
}
