// A pre-parse guard for request bodies: nlohmann's parser recurses once per
// nesting level, so a hostile body of a million '[' would exhaust the stack.
#pragma once
#include <string>

namespace lf::serve {

// Whether no array or object in `body` nests deeper than max_depth (text
// inside JSON strings is skipped). Malformed JSON is left to the parser.
bool json_nesting_within(const std::string& body, int max_depth);

}  // namespace lf::serve
