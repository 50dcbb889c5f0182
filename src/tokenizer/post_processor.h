// tokenizer.json "post_processor", reduced to what a single sequence needs:
// the ids placed before and after it when special tokens are added.
#pragma once
#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace lf::tok {

struct SpecialAround {
  std::vector<int32_t> prefix, suffix;
};

// Supported: TemplateProcessing, ByteLevel (adds nothing), RobertaProcessing,
// BertProcessing, Sequence; null adds nothing; anything else is an lf::Error.
SpecialAround parse_post_processor(const nlohmann::json& j);

}  // namespace lf::tok
