#include "hparams/env_flag.h"

#include <cctype>
#include <cstdlib>
#include <string>

namespace lf::hparams {

bool is_truthy(std::string_view value) {
  std::string lower;
  for (char c : value) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "true" || lower == "y" || lower == "1";
}

bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && is_truthy(v);
}

}  // namespace lf::hparams
