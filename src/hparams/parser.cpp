#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/device.h"
#include "core/error.h"
#include "core/log.h"
#include "hparams/args.h"
#include "hparams/config_source.h"
#include "hparams/env_flag.h"
#include "hparams/suggest.h"

namespace lf::hparams {
namespace {

bool is_bool_key(Args& args, const std::string& key) {
  BoolKeyFinder finder{key};
  args.for_each_group([&](auto& group) { group.visit(finder); });
  return finder.is_bool;
}

std::string describe_unknown(const std::vector<std::string>& unknown, uint32_t groups) {
  const auto keys = known_keys(groups);
  const auto all = known_keys(kAllGroups);
  std::ostringstream os;
  for (size_t i = 0; i < unknown.size(); ++i) {
    const std::string& key = unknown[i];
    os << (i ? ", " : "") << "'" << key << "'";
    if (std::find(all.begin(), all.end(), key) != all.end()) {
      os << " (not used by this command)";
    } else if (std::string near = closest_match(key, keys); !near.empty()) {
      os << " (did you mean '" << near << "'?)";
    }
  }
  return os.str();
}

// LLaMA-Factory's __post_init__ rules: derived defaults and conflicting keys.
void finalize(Args& a) {
  if (a.groups & kFinetuning) {
    if (!a.finetuning.lora_alpha) a.finetuning.lora_alpha = a.finetuning.lora_rank * 2;
  }
  if (a.groups & kData) {
    DataArguments& d = a.data;
    if (!d.media_dir) d.media_dir = d.dataset_dir;
    if (d.neat_packing) d.packing = true;
    if (!d.packing) d.packing = (a.groups & kFinetuning) && a.finetuning.stage == "pt";
    LF_CHECK(!(d.mask_history && d.train_on_prompt),
             "`mask_history` is incompatible with `train_on_prompt`: set only one of them");
    LF_CHECK(!(d.streaming && d.max_samples),
             "`max_samples` is incompatible with `streaming`: remove one of them");
    LF_CHECK(d.val_size >= 0, "`val_size` must be a fraction in [0, 1) or a whole number of "
             "examples, got ", d.val_size);
    LF_CHECK(d.val_size < 1 || d.val_size == std::floor(d.val_size),
             "`val_size` above 1 is a number of examples and must be whole, got ", d.val_size);
    if (d.val_size > 1e-6) {
      LF_CHECK(d.dataset, "`val_size` needs `dataset`: the validation split is cut from it");
      LF_CHECK(!d.eval_dataset, "set either `val_size` or `eval_dataset`, not both");
    }
  }
  if (a.groups & kTraining) {
    TrainingArguments& t = a.training;
    LF_CHECK(!(t.bf16 && t.fp16), "`bf16` and `fp16` cannot both be true: choose one precision");
    if (!t.eval_steps) t.eval_steps = t.logging_steps;
    if (!t.generation_max_length && (a.groups & kData)) t.generation_max_length = a.data.cutoff_len;
  }
  if ((a.groups & kModel) && a.model.device != "auto") {
    try {
      parse_device(a.model.device);
    } catch (const Error& e) {
      fail("config key 'device': ", e.what());
    }
  }
}

}  // namespace

std::vector<std::string> known_keys(uint32_t groups) {
  Args probe;
  probe.groups = groups;
  std::vector<std::string> keys;
  KeyLister lister{keys};
  probe.for_each_group([&](auto& group) { group.visit(lister); });
  return keys;
}

std::vector<std::pair<std::string, std::string>> Args::items() {
  std::vector<std::pair<std::string, std::string>> out;
  Renderer renderer{out};
  for_each_group([&](auto& group) { group.visit(renderer); });
  return out;
}

Args parse_args(const std::vector<std::string>& argv, uint32_t groups) {
  Args args;
  args.groups = groups;
  std::vector<RawSetting> settings;
  size_t first = 0;
  if (!argv.empty() && is_config_path(argv[0])) {
    args.config_path = argv[0];
    settings = read_config_file(argv[0]);
    first = 1;
  }
  auto overrides = read_overrides(argv, first,
                                  [&](const std::string& key) { return is_bool_key(args, key); });
  settings.insert(settings.end(), overrides.begin(), overrides.end());
  // Later settings replace earlier ones before any value is checked, so an
  // override can fix a bad value in the file (as OmegaConf's merge does).
  std::vector<RawSetting> merged;
  for (auto it = settings.rbegin(); it != settings.rend(); ++it) {
    bool seen = std::any_of(merged.begin(), merged.end(),
                            [&](const RawSetting& m) { return m.key == it->key; });
    if (!seen) merged.push_back(*it);
  }
  std::reverse(merged.begin(), merged.end());

  std::vector<std::string> unknown;
  std::vector<std::string> origins;
  for (const RawSetting& s : merged) {
    Assigner assigner{s.key, s.value};
    try {
      args.for_each_group([&](auto& group) { group.visit(assigner); });
    } catch (const Error& e) {
      fail(e.what(), " (set ", s.origin, "). Fix the value there.");
    }
    if (!assigner.found) {
      unknown.push_back(s.key);
      if (std::find(origins.begin(), origins.end(), s.origin) == origins.end()) {
        origins.push_back(s.origin);
      }
      args.extra[s.key] = s.value.kind == RawValue::Kind::scalar ? s.value.text
                                                                 : s.value.describe();
    }
  }
  if (!unknown.empty()) {
    std::string where;
    for (size_t i = 0; i < origins.size(); ++i) where += (i ? " and " : "") + origins[i];
    if (env_flag("ALLOW_EXTRA_ARGS")) {
      log::warn("ignoring unknown config keys ", describe_unknown(unknown, groups), " ", where,
                " because ALLOW_EXTRA_ARGS is set");
    } else {
      fail("unknown config key", unknown.size() > 1 ? "s " : " ", describe_unknown(unknown, groups),
           " ", where, ". Fix or remove ", unknown.size() > 1 ? "them" : "it",
           ", or set ALLOW_EXTRA_ARGS=1 to ignore unknown keys.");
    }
  }
  finalize(args);
  return args;
}

}  // namespace lf::hparams
