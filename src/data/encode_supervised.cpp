#include <algorithm>

#include "core/error.h"
#include "data/encode.h"

namespace lf::data {

std::pair<int64_t, int64_t> infer_seqlen(int64_t source_len, int64_t target_len, int64_t cutoff_len) {
  int64_t max_target_len;
  if (target_len * 2 < cutoff_len) {
    max_target_len = cutoff_len;  // a short target is kept whole
  } else if (source_len * 2 < cutoff_len) {
    max_target_len = cutoff_len - source_len;  // a short source is kept whole
  } else {
    // Both long: share in proportion (Python's int() truncates toward zero).
    max_target_len = static_cast<int64_t>(static_cast<double>(cutoff_len) *
                                          (static_cast<double>(target_len) / static_cast<double>(source_len + target_len)));
  }
  const int64_t new_target_len = std::min(max_target_len, target_len);
  const int64_t max_source_len = std::max<int64_t>(cutoff_len - new_target_len, 0);
  const int64_t new_source_len = std::min(max_source_len, source_len);
  return {new_source_len, new_target_len};
}

std::string supervised_invalid_reason(const Example& example) {
  if (example.prompt.size() % 2 != 1) {
    return "the prompt has " + std::to_string(example.prompt.size()) + " messages (needs an odd number)";
  }
  if (example.response.size() != 1) {
    return example.response.empty() ? "no response" : "more than one response (a ranking example)";
  }
  return "";
}

EncodedExample encode_supervised(const ChatTemplate& tmpl, const Example& example, const SupervisedOptions& options) {
  const std::string invalid = supervised_invalid_reason(example);
  LF_CHECK(invalid.empty(), "Invalid supervised example: ", invalid);
  std::vector<Message> messages = example.prompt;
  messages.push_back(example.response.front());

  const bool efficient_eos = tmpl.spec().efficient_eos;
  auto pairs = tmpl.encode_multiturn(messages, example.system, example.tools, options.mask_history);
  // The last turn gets priority under the cutoff when only it is trained.
  if (options.mask_history) std::reverse(pairs.begin(), pairs.end());

  // Turns are kept in order; with mask_history they are built back to front.
  std::vector<std::vector<int32_t>> ids_parts, label_parts;
  int64_t total_length = efficient_eos ? 1 : 0;
  for (size_t turn = 0; turn < pairs.size(); ++turn) {
    if (total_length >= options.cutoff_len) break;
    auto& [source, target] = pairs[turn];
    const auto [source_len, target_len] =
        infer_seqlen(static_cast<int64_t>(source.size()), static_cast<int64_t>(target.size()),
                     options.cutoff_len - total_length);
    source.resize(static_cast<size_t>(source_len));
    target.resize(static_cast<size_t>(target_len));
    total_length += source_len + target_len;

    std::vector<int32_t> source_label;
    if (options.train_on_prompt) {
      source_label = source;
    } else if (efficient_eos && turn != 0 && source_len > 0) {
      // The previous answer had no eos of its own: learn it at this turn's start.
      source_label.assign(static_cast<size_t>(source_len), kIgnoreIndex);
      source_label[0] = tmpl.eos_id();
    } else {
      source_label.assign(static_cast<size_t>(source_len), kIgnoreIndex);
    }
    std::vector<int32_t> target_label = target;
    if (options.mask_history && turn != 0) target_label.assign(target.size(), kIgnoreIndex);

    std::vector<int32_t> ids = source, labels = source_label;
    ids.insert(ids.end(), target.begin(), target.end());
    labels.insert(labels.end(), target_label.begin(), target_label.end());
    ids_parts.push_back(std::move(ids));
    label_parts.push_back(std::move(labels));
  }
  if (options.mask_history) {
    std::reverse(ids_parts.begin(), ids_parts.end());
    std::reverse(label_parts.begin(), label_parts.end());
  }

  EncodedExample out;
  for (size_t i = 0; i < ids_parts.size(); ++i) {
    out.input_ids.insert(out.input_ids.end(), ids_parts[i].begin(), ids_parts[i].end());
    out.labels.insert(out.labels.end(), label_parts[i].begin(), label_parts[i].end());
  }
  if (efficient_eos) {
    out.input_ids.push_back(tmpl.eos_id());
    out.labels.push_back(tmpl.eos_id());
  }
  return out;
}

}  // namespace lf::data
