// The files a LLaMA-Factory user reads during and after training:
// trainer_log.jsonl (one line per logging step), trainer_state.json (the HF
// Trainer's log_history), train_results.json / all_results.json.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lf::train {

struct LogEntry {
  int64_t step = 0;
  int64_t total_steps = 0;
  double epoch = 0;
  std::optional<double> loss, eval_loss, grad_norm, lr, throughput;
  int64_t total_tokens = 0;
  double elapsed_seconds = 0, remaining_seconds = 0;
};

// "0:01:05" — Python's str(timedelta) for whole seconds, as LLaMA-Factory writes.
std::string timedelta_str(double seconds);

class TrainerLog {
 public:
  explicit TrainerLog(std::filesystem::path output_dir);
  // Appends to trainer_log.jsonl and to the in-memory log_history.
  void log(const LogEntry& e);
  // Restores the history of a resumed run from a checkpoint's trainer_state.json.
  void restore(const nlohmann::json& trainer_state);
  nlohmann::json trainer_state(int64_t global_step, int64_t max_steps, double epoch,
                               double num_train_epochs, int64_t logging_steps,
                               int64_t save_steps, int64_t train_batch_size) const;
  const nlohmann::json& history() const { return history_; }
  // (step, loss) pairs of the key ("loss" or "eval_loss") for the plot.
  void series(const std::string& key, std::vector<double>* steps,
              std::vector<double>* values) const;

 private:
  std::filesystem::path dir_;
  nlohmann::json history_ = nlohmann::json::array();
};

}  // namespace lf::train
