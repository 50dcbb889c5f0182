#include <gtest/gtest.h>

#include <cstdlib>

#include "core/error.h"
#include "hparams/args.h"
#include "hparams/suggest.h"
#include "temp_config.h"

using lf::Error;
using lf::hparams::Args;
using lf::hparams::parse_args;

namespace {

// The error text of parse_args(argv), or "" when it succeeds.
std::string error_of(const std::vector<std::string>& argv,
                     uint32_t groups = lf::hparams::kAllGroups) {
  try {
    parse_args(argv, groups);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

class ExtraArgsEnv : public ::testing::Test {
 protected:
  void SetUp() override { unsetenv("ALLOW_EXTRA_ARGS"); }
  void TearDown() override { unsetenv("ALLOW_EXTRA_ARGS"); }
};

}  // namespace

TEST(Hparams, DefaultsMatchLlamaFactory) {
  Args a = parse_args({});
  EXPECT_EQ(a.finetuning.stage, "sft");
  EXPECT_EQ(a.finetuning.finetuning_type, "lora");
  EXPECT_EQ(a.finetuning.lora_rank, 8);
  EXPECT_EQ(a.finetuning.lora_alpha, 16);  // derived: 2 * lora_rank
  EXPECT_EQ(a.finetuning.lora_target, "all");
  EXPECT_EQ(a.data.cutoff_len, 2048);
  EXPECT_EQ(a.data.dataset_dir, "data");
  EXPECT_EQ(a.data.media_dir, "data");
  EXPECT_EQ(a.data.packing, false);
  EXPECT_TRUE(a.generating.do_sample);
  EXPECT_DOUBLE_EQ(a.generating.temperature, 0.95);
  EXPECT_DOUBLE_EQ(a.generating.top_p, 0.7);
  EXPECT_EQ(a.generating.top_k, 50);
  EXPECT_EQ(a.generating.max_new_tokens, 1024);
  EXPECT_EQ(a.training.per_device_train_batch_size, 8);
  EXPECT_DOUBLE_EQ(a.training.learning_rate, 5e-5);
  EXPECT_DOUBLE_EQ(a.training.num_train_epochs, 3.0);
  EXPECT_EQ(a.training.seed, 42);
  EXPECT_EQ(a.model.flash_attn, "auto");
  EXPECT_EQ(a.model.infer_backend, "huggingface");
  EXPECT_FALSE(a.model.disable_gradient_checkpointing);
  EXPECT_EQ(a.model.device, "auto");
  EXPECT_EQ(a.exporting.export_size, 5);
  EXPECT_EQ(a.exporting.export_device, "cpu");
  EXPECT_FALSE(a.model.model_name_or_path.has_value());
}

TEST(Hparams, ReadsTheLlamaFactoryExampleYaml) {
  lf::test::TempDir dir;
  std::string path = dir.write("llama3_lora_sft.yaml", R"(### model
model_name_or_path: meta-llama/Meta-Llama-3-8B-Instruct
trust_remote_code: true
### method
stage: sft
do_train: true
finetuning_type: lora
lora_rank: 8
lora_target: all
### dataset
dataset: identity,alpaca_en_demo
template: llama3
cutoff_len: 2048
max_samples: 1000
overwrite_cache: true
preprocessing_num_workers: 16
dataloader_num_workers: 4
### output
output_dir: saves/llama3-8b/lora/sft
logging_steps: 10
save_steps: 500
plot_loss: true
overwrite_output_dir: true
save_only_model: false
report_to: none  # choices: [none, wandb, tensorboard, swanlab, mlflow]
### train
per_device_train_batch_size: 1
gradient_accumulation_steps: 8
learning_rate: 1.0e-4
num_train_epochs: 3.0
lr_scheduler_type: cosine
warmup_ratio: 0.1
bf16: true
ddp_timeout: 180000000
resume_from_checkpoint: null
)");
  Args a = parse_args({path}, lf::hparams::kTrainGroups);
  EXPECT_EQ(a.config_path, path);
  EXPECT_EQ(a.model.model_name_or_path, "meta-llama/Meta-Llama-3-8B-Instruct");
  EXPECT_TRUE(a.model.trust_remote_code);
  EXPECT_TRUE(a.training.do_train);
  EXPECT_EQ(a.data.dataset, "identity,alpaca_en_demo");
  EXPECT_EQ(a.data.template_, "llama3");
  EXPECT_EQ(a.data.max_samples, 1000);
  EXPECT_EQ(a.data.preprocessing_num_workers, 16);
  EXPECT_DOUBLE_EQ(a.training.logging_steps, 10);
  EXPECT_EQ(a.training.report_to, "none");
  EXPECT_EQ(a.training.gradient_accumulation_steps, 8);
  EXPECT_DOUBLE_EQ(a.training.learning_rate, 1e-4);
  EXPECT_EQ(a.training.lr_scheduler_type, "cosine");
  EXPECT_TRUE(a.training.bf16);
  EXPECT_EQ(a.training.ddp_timeout, 180000000);
  EXPECT_FALSE(a.training.resume_from_checkpoint.has_value());
  EXPECT_TRUE(a.finetuning.plot_loss);
}

TEST(Hparams, OverridesWinOverTheFile) {
  lf::test::TempDir dir;
  std::string path = dir.write("c.yaml", "learning_rate: 1.0e-4\nlogging_steps: 10\nbf16: true\n");
  Args a = parse_args({path, "learning_rate=1e-5", "--logging_steps", "1", "--bf16=false"});
  EXPECT_DOUBLE_EQ(a.training.learning_rate, 1e-5);
  EXPECT_DOUBLE_EQ(a.training.logging_steps, 1);
  EXPECT_FALSE(a.training.bf16);
}

TEST(Hparams, OverrideFixesABadValueInTheFile) {
  lf::test::TempDir dir;
  std::string path = dir.write("c.yaml", "lora_rank: eight\n");
  EXPECT_EQ(parse_args({path, "lora_rank=4"}).finetuning.lora_rank, 4);
  std::string e = error_of({path});
  EXPECT_NE(e.find("'lora_rank' expects an integer, got 'eight' (set in config file " + path + ")"),
            std::string::npos) << e;
}

TEST(Hparams, JsonConfigWithOverride) {
  lf::test::TempDir dir;
  std::string path = dir.write(
      "c.json", R"({"model_name_or_path": "m", "lora_rank": 16, "dataset": ["a", "b"], "template": null})");
  Args a = parse_args({path, "lora_rank=4"});
  EXPECT_EQ(a.model.model_name_or_path, "m");
  EXPECT_EQ(a.finetuning.lora_rank, 4);
  EXPECT_EQ(a.finetuning.lora_alpha, 8);
  EXPECT_EQ(a.data.dataset, "a,b");  // a list means the same as "a,b"
  EXPECT_FALSE(a.data.template_.has_value());
}

TEST(Hparams, FlagSyntaxWithBareBooleans) {
  Args a = parse_args({"--model_name_or_path", "Qwen/Qwen3-4B", "--do_train", "--stage=pt",
                       "--lora_alpha", "32", "--template", "null"});
  EXPECT_EQ(a.model.model_name_or_path, "Qwen/Qwen3-4B");
  EXPECT_TRUE(a.training.do_train);
  EXPECT_EQ(a.finetuning.stage, "pt");
  EXPECT_EQ(a.finetuning.lora_alpha, 32);
  EXPECT_EQ(a.data.packing, true);  // derived from stage pt
  EXPECT_FALSE(a.data.template_.has_value());
  EXPECT_NE(error_of({"--learning_rate"}).find("--learning_rate needs a value"), std::string::npos);
}

TEST(Hparams, KeySharedByGroupsSetsEach) {
  Args a = parse_args({"seed=7"});
  EXPECT_EQ(a.training.seed, 7);
  EXPECT_EQ(a.evaluation.seed, 7);
}

TEST_F(ExtraArgsEnv, UnknownKeyNamesItAndSuggestsTheClosest) {
  std::string e = error_of({"learnig_rate=1e-4"});
  EXPECT_NE(e.find("'learnig_rate'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'learning_rate'"), std::string::npos) << e;
  EXPECT_NE(e.find("ALLOW_EXTRA_ARGS"), std::string::npos) << e;
  // Nothing plausible: named, no wild guess.
  e = error_of({"completely_unrelated_setting=1"});
  EXPECT_NE(e.find("'completely_unrelated_setting'"), std::string::npos) << e;
  EXPECT_EQ(e.find("did you mean"), std::string::npos) << e;
}

TEST_F(ExtraArgsEnv, UnknownKeyInFileNamesTheFile) {
  lf::test::TempDir dir;
  std::string path = dir.write("c.yaml", "lora_rnak: 8\n");
  std::string e = error_of({path});
  EXPECT_NE(e.find("did you mean 'lora_rank'"), std::string::npos) << e;
  EXPECT_NE(e.find(path), std::string::npos) << e;
}

TEST_F(ExtraArgsEnv, KeyOfAnotherCommandIsRefused) {
  std::string e = error_of({"learning_rate=1e-4"}, lf::hparams::kInferGroups);
  EXPECT_NE(e.find("not used by this command"), std::string::npos) << e;
}

TEST_F(ExtraArgsEnv, AllowExtraArgsKeepsUnknownKeys) {
  for (const char* value : {"1", "true", "TRUE", "y"}) {
    setenv("ALLOW_EXTRA_ARGS", value, 1);
    Args a = parse_args({"learnig_rate=1e-4", "lora_rank=2"});
    EXPECT_EQ(a.extra.at("learnig_rate"), "1e-4") << value;
    EXPECT_EQ(a.finetuning.lora_rank, 2);
  }
  setenv("ALLOW_EXTRA_ARGS", "0", 1);
  EXPECT_NE(error_of({"learnig_rate=1e-4"}), "");
}

TEST(Hparams, WrongTypeNamesKeyAndExpectedType) {
  std::string e = error_of({"lora_rank=eight"});
  EXPECT_NE(e.find("'lora_rank' expects an integer, got 'eight'"), std::string::npos) << e;
  e = error_of({"learning_rate=fast"});
  EXPECT_NE(e.find("'learning_rate' expects a number"), std::string::npos) << e;
  e = error_of({"do_train=maybe"});
  EXPECT_NE(e.find("'do_train' expects a boolean"), std::string::npos) << e;
  e = error_of({"lora_rank=8.5"});
  EXPECT_NE(e.find("expects an integer"), std::string::npos) << e;
  e = error_of({"stage=sfx"});
  EXPECT_NE(e.find("'stage' must be one of: pt, sft, rm, ppo, dpo, kto"), std::string::npos) << e;

  lf::test::TempDir dir;
  std::string path = dir.write("c.yaml", "cutoff_len: [1, 2]\nlearning_rate: {a: 1}\n");
  e = error_of({path});
  EXPECT_NE(e.find("'cutoff_len' expects an integer, got a list"), std::string::npos) << e;
  EXPECT_NE(e.find(path), std::string::npos) << e;
  path = dir.write("n.yaml", "lora_rank: null\n");
  e = error_of({path});
  EXPECT_NE(e.find("'lora_rank' expects an integer, got null"), std::string::npos) << e;
}

TEST(Hparams, NumbersInYamlSpellings) {
  Args a = parse_args({"lora_rank=1e2", "learning_rate=5e-5", "lora_dropout=0.05", "bf16=yes"});
  EXPECT_EQ(a.finetuning.lora_rank, 100);
  EXPECT_DOUBLE_EQ(a.training.learning_rate, 5e-5);
  EXPECT_DOUBLE_EQ(a.finetuning.lora_dropout, 0.05);
  EXPECT_TRUE(a.training.bf16);
}

TEST(Hparams, MalformedFilesNameTheFile) {
  lf::test::TempDir dir;
  std::string yaml = dir.write("bad.yaml", "model_name_or_path: [unclosed\nstage: sft\n");
  std::string e = error_of({yaml});
  EXPECT_NE(e.find("bad.yaml is not valid YAML (line"), std::string::npos) << e;
  std::string json = dir.write("bad.json", "{\"stage\": \"sft\",}");
  e = error_of({json});
  EXPECT_NE(e.find("bad.json is not valid JSON"), std::string::npos) << e;
  std::string list = dir.write("list.yaml", "- a\n- b\n");
  e = error_of({list});
  EXPECT_NE(e.find("list.yaml must be a mapping"), std::string::npos) << e;
}

TEST(Hparams, MissingFileAndStrayArguments) {
  std::string e = error_of({"/nonexistent/x.yaml"});
  EXPECT_NE(e.find("config file /nonexistent/x.yaml not found"), std::string::npos) << e;
  e = error_of({"stage=sft", "x.yaml"});
  EXPECT_NE(e.find("must come first"), std::string::npos) << e;
  e = error_of({"config.txt"});
  EXPECT_NE(e.find("unexpected argument 'config.txt'"), std::string::npos) << e;
}

TEST(Hparams, ConflictingKeysAreRefused) {
  EXPECT_NE(error_of({"mask_history=true", "train_on_prompt=true"}).find("mask_history"),
            std::string::npos);
  EXPECT_NE(error_of({"val_size=0.1"}).find("`val_size` needs `dataset`"), std::string::npos);
  EXPECT_NE(error_of({"dataset=a", "val_size=0.1", "eval_dataset=b"}).find("not both"),
            std::string::npos);
  EXPECT_NE(error_of({"bf16=true", "fp16=true"}).find("cannot both be true"), std::string::npos);
  EXPECT_EQ(error_of({"dataset=a", "val_size=100"}), "");
}

TEST(Hparams, DeviceKeyIsValidated) {
  EXPECT_EQ(parse_args({"device=npu:1"}).model.device, "npu:1");
  EXPECT_EQ(error_of({"device=cuda"}), "");
  std::string e = error_of({"device=tpu"});
  EXPECT_NE(e.find("config key 'device'"), std::string::npos) << e;
  EXPECT_NE(e.find("'tpu' is not known"), std::string::npos) << e;
  EXPECT_NE(error_of({"device=npu:x"}).find("must be a number"), std::string::npos);
}

TEST(Hparams, KnownKeysAndRenderedItems) {
  auto keys = lf::hparams::known_keys(lf::hparams::kGenerating);
  EXPECT_EQ(keys.front(), "do_sample");
  EXPECT_EQ(keys.size(), 10u);
  Args a = parse_args({"temperature=0.5"}, lf::hparams::kGenerating);
  auto items = a.items();
  EXPECT_EQ(items[1], (std::pair<std::string, std::string>{"temperature", "0.5"}));
  EXPECT_EQ(items[2], (std::pair<std::string, std::string>{"top_p", "0.7"}));
}

TEST(Suggest, EditDistance) {
  EXPECT_EQ(lf::hparams::edit_distance("", "abc"), 3u);
  EXPECT_EQ(lf::hparams::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(lf::hparams::edit_distance("lora_rank", "lora_rank"), 0u);
  EXPECT_EQ(lf::hparams::closest_match("tempreature", {"temperature", "top_p"}), "temperature");
  EXPECT_EQ(lf::hparams::closest_match("xyz", {"temperature", "top_p"}), "");
}
