// LLaMA-Factory v0.9.3's EvaluationArguments (hparams/evaluation_args.py).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "hparams/field.h"

namespace lf::hparams {

struct EvaluationArguments {
  std::optional<std::string> task;  // mmlu_test | ceval_validation | cmmlu_test
  std::string task_dir = "evaluation";
  int64_t batch_size = 4;
  int64_t seed = 42;
  std::string lang = "en";
  int64_t n_shot = 5;
  std::optional<std::string> save_dir;
  std::string download_mode = "reuse_dataset_if_exists";

  template <typename V>
  void visit(V& v) {
    v("task", task);
    v("task_dir", task_dir);
    v("batch_size", batch_size);
    v("seed", seed);
    v("lang", lang, {"en", "zh"});
    v("n_shot", n_shot);
    v("save_dir", save_dir);
    v("download_mode", download_mode);
  }
};

}  // namespace lf::hparams
