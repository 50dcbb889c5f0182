// Shared set-up for training tests: a temporary directory with a tiny created
// model and a small dataset, and a way to run the built CLI in it.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lf::test {

struct CliResult {
  int status = -1;
  std::string out;  // stdout and stderr together
};

inline std::string cli_path() {
  const char* p = std::getenv("LF_CLI");
  return p ? p : LF_BINARY_DIR "/bin/llamafactory-cli";
}

// Runs `llamafactory-cli <args>` in `dir` with single-threaded kernels (so
// reruns are bit-identical) and the given extra environment.
inline CliResult run_cli_in(const std::filesystem::path& dir, const std::string& args,
                            const std::string& env = "") {
  std::string cmd = "cd '" + dir.string() + "' && env OMP_NUM_THREADS=1 " + env + " '" +
                    cli_path() + "' " + args + " 2>&1";
  CliResult r;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) r.out.append(buf, n);
  int st = pclose(f);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class TrainDir {
 public:
  TrainDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("lf_train_" + std::to_string(getpid()) + "_" + std::to_string(counter()++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_ / "data");
    write_data();
    auto r = run_cli_in(path_, "create-model output_dir=model arch=qwen2 tokenizer=demo "
                               "hidden_size=64 num_hidden_layers=2 num_attention_heads=4 "
                               "intermediate_size=128 dtype=f32 initializer_range=0.1");
    EXPECT_EQ(r.status, 0) << r.out;
  }
  ~TrainDir() { std::filesystem::remove_all(path_); }
  TrainDir(const TrainDir&) = delete;
  TrainDir& operator=(const TrainDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  CliResult train(const std::string& overrides, const std::string& env = "") const {
    return run_cli_in(path_, "train model_name_or_path=model dataset=tiny template=qwen "
                             "do_train=true cutoff_len=64 per_device_train_batch_size=2 "
                             "learning_rate=5e-3 logging_steps=1 lora_rank=4 " + overrides, env);
  }
  // The logged training losses, in step order.
  std::vector<double> losses(const std::string& out_dir) const {
    std::vector<double> v;
    std::ifstream in(path_ / out_dir / "trainer_log.jsonl");
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line);
      if (j.contains("loss")) v.push_back(j["loss"].get<double>());
    }
    return v;
  }

 private:
  static int& counter() {
    static int c = 0;
    return c;
  }
  void write_data() {
    nlohmann::json rows = nlohmann::json::array();
    const char* qa[][2] = {
        {"Who are you?", "I am a tiny test assistant."},
        {"What is two plus two?", "Two plus two is four."},
        {"Name a colour.", "Blue is a colour."},
        {"Say hello.", "Hello there!"},
        {"What do cats say?", "Cats say meow."},
        {"Count to three.", "One, two, three."},
    };
    for (auto& p : qa) rows.push_back({{"instruction", p[0]}, {"input", ""}, {"output", p[1]}});
    std::ofstream(path_ / "data" / "tiny.json") << rows.dump(2);
    nlohmann::json info = {{"tiny", {{"file_name", "tiny.json"}}}};
    std::ofstream(path_ / "data" / "dataset_info.json") << info.dump(2);
  }
  std::filesystem::path path_;
};

}  // namespace lf::test
