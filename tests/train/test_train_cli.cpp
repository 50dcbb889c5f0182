// `llamafactory-cli train` end to end on a tiny created model: the files a
// LLaMA-Factory user expects, resume equality, interruption, and the
// messages for bad configurations.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <thread>

#include "core/atomic_file.h"
#include "train_fixture.h"

using lf::test::TrainDir;
namespace fs = std::filesystem;

TEST(TrainCli, LoraRunWritesLlamaFactoryOutputs) {
  TrainDir d;
  auto r = d.train("output_dir=out max_steps=6 save_steps=3 plot_loss=true");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("trainable params: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" || all params: "), std::string::npos);
  for (const char* f : {"adapter_model.safetensors", "adapter_config.json", "trainer_log.jsonl",
                        "trainer_state.json", "train_results.json", "all_results.json",
                        "training_loss.png", "checkpoint-3/adapter_model.safetensors",
                        "checkpoint-3/optimizer.safetensors", "checkpoint-3/trainer_state.json",
                        "tokenizer.json", "tokenizer_config.json", "checkpoint-3/tokenizer.json",
                        "running_log.txt"}) {
    EXPECT_TRUE(fs::exists(d.path() / "out" / f)) << f;
  }
  // The running log holds the run's log lines, as the console showed them.
  const std::string running_log = lf::read_file(d.path() / "out" / "running_log.txt");
  EXPECT_NE(running_log.find("trainable params: "), std::string::npos) << running_log;
  EXPECT_NE(running_log.find("[INFO|"), std::string::npos) << running_log;
  EXPECT_FALSE(fs::exists(d.path() / "out" / "checkpoint-6")) << "the final step saves to output_dir";
  EXPECT_EQ(d.losses("out").size(), 6u);
  auto state = nlohmann::json::parse(std::ifstream(d.path() / "out" / "trainer_state.json"));
  EXPECT_EQ(state["global_step"], 6);
  EXPECT_EQ(state["log_history"].size(), 6u);
  // The adapter is what Python PEFT reads: checked by an independent script.
  std::string cmd = "python3 " LF_SOURCE_DIR "/tests/train/check_peft.py '" +
                    (d.path() / "out").string() + "' 64 4 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// total_flos is the HF Trainer's estimate: 6 x input ids x the parameters
// outside the embedding table. With one row per batch the input ids are the
// logged total_tokens plus each batch's padding to a multiple of 8.
TEST(TrainCli, TotalFlosIsTheHfEstimate) {
  TrainDir d;
  auto r = d.train("output_dir=out max_steps=4 per_device_train_batch_size=1");
  ASSERT_EQ(r.status, 0) << r.out;
  const size_t at = r.out.find(" || all params: ");
  ASSERT_NE(at, std::string::npos) << r.out;
  std::string digits;
  for (size_t i = at + 16; i < r.out.size() && (std::isdigit(r.out[i]) || r.out[i] == ','); ++i)
    if (r.out[i] != ',') digits += r.out[i];
  const double all_params = std::stod(digits);
  auto config = nlohmann::json::parse(std::ifstream(d.path() / "model" / "config.json"));
  const double embedding = config["vocab_size"].get<double>() * config["hidden_size"].get<double>();
  std::ifstream log(d.path() / "out" / "trainer_log.jsonl");
  std::string line, last;
  while (std::getline(log, line)) last = line;
  const double tokens = nlohmann::json::parse(last)["total_tokens"].get<double>();
  ASSERT_GT(tokens, 0);
  auto results = nlohmann::json::parse(std::ifstream(d.path() / "out" / "train_results.json"));
  const double ids = results["total_flos"].get<double>() / (6.0 * (all_params - embedding));
  EXPECT_EQ(ids, std::round(ids));
  EXPECT_EQ(std::fmod(ids, 8.0), 0.0) << ids;
  EXPECT_GE(ids, tokens);
  EXPECT_LT(ids, tokens + 8 * 4) << "4 steps pad at most 7 ids each";
  auto state = nlohmann::json::parse(std::ifstream(d.path() / "out" / "trainer_state.json"));
  EXPECT_DOUBLE_EQ(state["total_flos"].get<double>(), results["total_flos"].get<double>());
}

TEST(TrainCli, LossFallsWhenOverfitting) {
  TrainDir d;
  auto r = d.train("output_dir=out max_steps=40 max_samples=2 lora_rank=8 learning_rate=1e-2 "
                   "lr_scheduler_type=constant");
  ASSERT_EQ(r.status, 0) << r.out;
  auto l = d.losses("out");
  ASSERT_EQ(l.size(), 40u);
  EXPECT_LT(l.back(), 0.5 * l.front()) << "first " << l.front() << " last " << l.back();
}

TEST(TrainCli, ResumeGivesTheSameLosses) {
  TrainDir d;
  auto full = d.train("output_dir=a max_steps=6 save_steps=3 lora_dropout=0.1");
  ASSERT_EQ(full.status, 0) << full.out;
  auto resumed = d.train("output_dir=b max_steps=6 save_steps=3 lora_dropout=0.1 "
                         "resume_from_checkpoint=a/checkpoint-3");
  ASSERT_EQ(resumed.status, 0) << resumed.out;
  auto la = d.losses("a"), lb = d.losses("b");
  ASSERT_EQ(la.size(), 6u);
  // b's log holds the steps it ran (4-6); its trainer_state.json carries the whole history.
  ASSERT_EQ(lb.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(la[i + 3], lb[i], 1e-4) << "step " << i + 4;
  auto state = nlohmann::json::parse(std::ifstream(d.path() / "b" / "trainer_state.json"));
  EXPECT_EQ(state["log_history"].size(), 6u);
  // total_flos carries over the checkpoint.
  auto results_a = nlohmann::json::parse(std::ifstream(d.path() / "a" / "train_results.json"));
  auto results_b = nlohmann::json::parse(std::ifstream(d.path() / "b" / "train_results.json"));
  EXPECT_GT(results_a["total_flos"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(results_a["total_flos"].get<double>(), results_b["total_flos"].get<double>());
}

TEST(TrainCli, SigtermSavesACheckpointAndTheSameCommandResumes) {
  TrainDir d;
  const std::string args = "output_dir=out max_steps=400 save_steps=1000";
  fs::path log = d.path() / "out" / "trainer_log.jsonl";
  std::thread killer([&] {
    // Wait for the first logged step, then interrupt the run.
    for (int i = 0; i < 600 && !fs::exists(log); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    // Anchored on the CLI's path so the shell wrapping it is not hit.
    std::string kill = "pkill -TERM -f '^" + lf::test::cli_path() +
                       " train .*output_dir=out max_steps=400' >/dev/null 2>&1";
    std::system(kill.c_str());
  });
  auto r = d.train(args);
  killer.join();
  ASSERT_EQ(r.status, 128 + SIGTERM) << r.out;
  EXPECT_NE(r.out.find("checkpoint saved to"), std::string::npos) << r.out;
  size_t done = d.losses("out").size();
  ASSERT_GT(done, 0u);
  EXPECT_TRUE(fs::exists(d.path() / "out" / ("checkpoint-" + std::to_string(done))));
  // The same command again resumes from that checkpoint (overwrite_output_dir is false).
  auto again = d.train("output_dir=out max_steps=" + std::to_string(done + 2) + " save_steps=1000");
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find("Resuming training from"), std::string::npos) << again.out;
  EXPECT_EQ(d.losses("out").size(), done + 2);
}

TEST(TrainCli, RefusesBadConfigurationsWithLlamaFactoryMessages) {
  TrainDir d;
  auto r = d.train("output_dir=o1 max_steps=1 template=nonesuch");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("nonesuch"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("llama3"), std::string::npos) << "lists the known templates: " << r.out;

  r = d.train("output_dir=o2 max_steps=1 dataset=missing_set");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("missing_set"), std::string::npos) << r.out;

  fs::create_directories(d.path() / "busy");
  std::ofstream(d.path() / "busy" / "something.txt") << "x";
  r = d.train("output_dir=busy max_steps=1");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("Output directory already exists and is not empty. Please set "
                       "`overwrite_output_dir`."), std::string::npos) << r.out;

  r = d.train("output_dir=o3 max_steps=1 lora_target=q_proj,nonexistent_proj");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("Target modules {nonexistent_proj} not found in the base model"),
            std::string::npos) << r.out;

  r = d.train("output_dir=o4 max_steps=1 stage=dpo");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("not supported yet"), std::string::npos) << r.out;
}

TEST(TrainCli, FullAndFreezeFineTuningTrainAndSaveWeights) {
  TrainDir d;
  auto r = d.train("output_dir=full finetuning_type=full max_steps=2");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(fs::exists(d.path() / "full" / "model.safetensors"));
  EXPECT_TRUE(fs::exists(d.path() / "full" / "config.json"));
  EXPECT_TRUE(fs::exists(d.path() / "full" / "tokenizer.json"));
  r = d.train("output_dir=freeze finetuning_type=freeze freeze_trainable_layers=1 max_steps=2");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("trainable params: "), std::string::npos);
  // The trained model loads again for inference.
  auto c = lf::test::run_cli_in(d.path(), "chat model_name_or_path=full template=qwen "
                                          "do_sample=false max_new_tokens=4 < /dev/null");
  EXPECT_EQ(c.status, 0) << c.out;
}

TEST(TrainCli, EvaluationDuringTrainingAndEvalOnly) {
  TrainDir d;
  auto r = d.train("output_dir=ev max_steps=4 val_size=2 eval_strategy=steps eval_steps=2 "
                   "per_device_eval_batch_size=2 do_eval=true plot_loss=true");
  ASSERT_EQ(r.status, 0) << r.out;
  int evals = 0;
  std::ifstream in(d.path() / "ev" / "trainer_log.jsonl");
  for (std::string line; std::getline(in, line);) evals += nlohmann::json::parse(line).contains("eval_loss");
  EXPECT_EQ(evals, 2);
  auto all = nlohmann::json::parse(std::ifstream(d.path() / "ev" / "all_results.json"));
  EXPECT_TRUE(all.contains("eval_loss"));
  EXPECT_TRUE(fs::exists(d.path() / "ev" / "training_eval_loss.png"));

  // do_train=false do_eval=true: evaluation only, of the trained adapter.
  r = lf::test::run_cli_in(d.path(), "train model_name_or_path=model adapter_name_or_path=ev "
                                     "dataset=tiny template=qwen cutoff_len=64 do_train=false "
                                     "do_eval=true val_size=2 output_dir=evonly");
  ASSERT_EQ(r.status, 0) << r.out;
  auto eval = nlohmann::json::parse(std::ifstream(d.path() / "evonly" / "eval_results.json"));
  EXPECT_GT(eval["eval_loss"].get<double>(), 0.0);
}

TEST(TrainCli, TokenizedPathSavesThenTrainsFromIt) {
  TrainDir d;
  auto r = d.train("output_dir=tp max_steps=2 tokenized_path=tok_cache");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("Tokenized dataset is saved at tok_cache."), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(d.path() / "tp" / "adapter_model.safetensors")) << "saving exits before training";
  r = d.train("output_dir=tp max_steps=2 tokenized_path=tok_cache");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(fs::exists(d.path() / "tp" / "adapter_model.safetensors"));
}

TEST(TrainCli, Fp16TrainsWithLossScaling) {
  TrainDir d;
  auto r = d.train("output_dir=h max_steps=3 fp16=true");
  ASSERT_EQ(r.status, 0) << r.out;
  auto l = d.losses("h");
  ASSERT_EQ(l.size(), 3u);
  for (double v : l) EXPECT_TRUE(std::isfinite(v) && v > 0);
  auto resume = nlohmann::json::parse(std::ifstream(d.path() / "h" / "trainer_state.json"));
  EXPECT_EQ(resume["global_step"], 3);
}
