// tokenizer.json "decoder": turns the token strings of ids back into text.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace lf::tok {

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Rewrites the token strings in place (the Hugging Face decode_chain); the
  // text is their concatenation afterwards.
  virtual void apply(std::vector<std::string>& tokens) const = 0;
};

// nullptr for a JSON null. Supported: ByteLevel, Metaspace, Replace,
// ByteFallback, Fuse, Strip, Sequence; anything else is an lf::Error naming it.
std::unique_ptr<Decoder> make_decoder(const nlohmann::json& j);

}  // namespace lf::tok
