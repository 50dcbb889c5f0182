// tokenizer.json "normalizer": rewrites each stretch of input text between
// added tokens before pre-tokenisation.
#pragma once
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace lf::tok {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void apply(std::string& text) const = 0;
};

// nullptr for a JSON null. Supported: NFC, NFD, NFKC, NFKD, Lowercase,
// Prepend, Replace, Strip, Sequence; anything else is an lf::Error naming it.
std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& j);

}  // namespace lf::tok
