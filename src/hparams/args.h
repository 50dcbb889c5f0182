// Command-line and config-file parsing into LLaMA-Factory's argument groups:
//   llamafactory-cli <command> <file.yaml|file.yml|file.json> [key=value ...]
//   llamafactory-cli <command> --key value --key=value --bool_flag ...
// Overrides win over the file. Unknown keys are errors (with the closest
// known key suggested) unless ALLOW_EXTRA_ARGS is set, as upstream.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hparams/data_args.h"
#include "hparams/evaluation_args.h"
#include "hparams/export_args.h"
#include "hparams/finetuning_args.h"
#include "hparams/generating_args.h"
#include "hparams/model_args.h"
#include "hparams/training_args.h"

namespace lf::hparams {

// Which groups a command accepts; a key of another group is unknown to it,
// as upstream's per-command HfArgumentParser makes it.
enum Group : uint32_t {
  kModel = 1u << 0,
  kData = 1u << 1,
  kFinetuning = 1u << 2,
  kGenerating = 1u << 3,
  kTraining = 1u << 4,
  kExport = 1u << 5,
  kEvaluation = 1u << 6,
};
inline constexpr uint32_t kTrainGroups = kModel | kData | kTraining | kFinetuning | kGenerating;
inline constexpr uint32_t kInferGroups = kModel | kData | kFinetuning | kGenerating | kExport;
inline constexpr uint32_t kEvalGroups = kModel | kData | kEvaluation | kFinetuning;
inline constexpr uint32_t kAllGroups = 0x7f;

struct Args {
  ModelArguments model;
  DataArguments data;
  FinetuningArguments finetuning;
  GeneratingArguments generating;
  TrainingArguments training;
  ExportArguments exporting;
  EvaluationArguments evaluation;
  uint32_t groups = kAllGroups;
  std::string config_path;                    // "" when only flags were given
  std::map<std::string, std::string> extra;  // unknown keys kept under ALLOW_EXTRA_ARGS

  // Calls fn(group) for every selected group.
  template <typename Fn>
  void for_each_group(Fn&& fn) {
    if (groups & kModel) fn(model);
    if (groups & kData) fn(data);
    if (groups & kFinetuning) fn(finetuning);
    if (groups & kGenerating) fn(generating);
    if (groups & kTraining) fn(training);
    if (groups & kExport) fn(exporting);
    if (groups & kEvaluation) fn(evaluation);
  }
  // Every key with its current value, group by group (for logs and saved configs).
  std::vector<std::pair<std::string, std::string>> items();
};

// argv: the arguments after the command name.
Args parse_args(const std::vector<std::string>& argv, uint32_t groups = kAllGroups);

// The keys of the selected groups, in declaration order.
std::vector<std::string> known_keys(uint32_t groups = kAllGroups);

}  // namespace lf::hparams
