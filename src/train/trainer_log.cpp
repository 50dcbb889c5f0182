#include "train/trainer_log.h"

#include <cmath>
#include <cstdio>

#include "core/atomic_file.h"

namespace lf::train {

std::string timedelta_str(double seconds) {
  long s = seconds < 0 ? 0 : static_cast<long>(seconds);
  char buf[48];
  if (s >= 86400) {
    long days = s / 86400;
    s %= 86400;
    std::snprintf(buf, sizeof buf, "%ld day%s, %ld:%02ld:%02ld", days, days == 1 ? "" : "s",
                  s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  }
  return buf;
}

TrainerLog::TrainerLog(std::filesystem::path output_dir) : dir_(std::move(output_dir)) {}

namespace {
double round_to(double v, int digits) {
  double p = std::pow(10.0, digits);
  return std::round(v * p) / p;
}
}  // namespace

void TrainerLog::log(const LogEntry& e) {
  nlohmann::json line;
  line["current_steps"] = e.step;
  line["total_steps"] = e.total_steps;
  if (e.loss) line["loss"] = round_to(*e.loss, 4);
  if (e.eval_loss) line["eval_loss"] = round_to(*e.eval_loss, 4);
  if (e.lr) line["lr"] = *e.lr;
  line["epoch"] = round_to(e.epoch, 2);
  line["percentage"] = e.total_steps > 0 ? round_to(100.0 * e.step / e.total_steps, 2) : 0.0;
  line["elapsed_time"] = timedelta_str(e.elapsed_seconds);
  line["remaining_time"] = timedelta_str(e.remaining_seconds);
  if (e.throughput) line["throughput"] = round_to(*e.throughput, 2);
  if (e.total_tokens) line["total_tokens"] = e.total_tokens;
  append_line(dir_ / "trainer_log.jsonl", line.dump());

  nlohmann::json h;
  h["epoch"] = round_to(e.epoch, 4);
  h["step"] = e.step;
  if (e.loss) h["loss"] = round_to(*e.loss, 4);
  if (e.eval_loss) h["eval_loss"] = round_to(*e.eval_loss, 4);
  if (e.grad_norm) h["grad_norm"] = *e.grad_norm;
  if (e.lr) h["learning_rate"] = *e.lr;
  history_.push_back(h);
}

void TrainerLog::restore(const nlohmann::json& trainer_state) {
  if (trainer_state.contains("log_history") && trainer_state["log_history"].is_array()) {
    history_ = trainer_state["log_history"];
  }
}

nlohmann::json TrainerLog::trainer_state(int64_t global_step, int64_t max_steps, double epoch,
                                         double num_train_epochs, int64_t logging_steps,
                                         int64_t save_steps, int64_t train_batch_size) const {
  nlohmann::json s;
  s["best_metric"] = nullptr;
  s["best_model_checkpoint"] = nullptr;
  s["epoch"] = epoch;
  s["global_step"] = global_step;
  s["is_hyper_param_search"] = false;
  s["is_local_process_zero"] = true;
  s["is_world_process_zero"] = true;
  s["log_history"] = history_;
  s["logging_steps"] = logging_steps;
  s["max_steps"] = max_steps;
  s["num_train_epochs"] = num_train_epochs;
  s["save_steps"] = save_steps;
  s["train_batch_size"] = train_batch_size;
  s["trial_name"] = nullptr;
  s["trial_params"] = nullptr;
  return s;
}

void TrainerLog::series(const std::string& key, std::vector<double>* steps,
                        std::vector<double>* values) const {
  steps->clear();
  values->clear();
  for (const auto& h : history_) {
    if (h.contains(key) && h.contains("step")) {
      steps->push_back(h["step"].get<double>());
      values->push_back(h[key].get<double>());
    }
  }
}

}  // namespace lf::train
