// The common form every dataset row is converted to, whatever its layout
// (alpaca, sharegpt, OpenAI-style messages): LLaMA-Factory's _prompt /
// _response / _system / _tools columns.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lf::data {

enum class Role { user, assistant, system, function, observation };

const char* role_name(Role role);

struct Message {
  Role role = Role::user;
  std::string content;
};

struct Example {
  std::vector<Message> prompt;    // odd length: user, assistant, ..., user
  std::vector<Message> response;  // one message for supervised data, two for ranking
  std::string system;
  std::string tools;              // JSON text of the tool list, "" when none
};

// input_ids / labels of one encoded (or packed) sequence. position_ids and
// segment_ids are filled only by packing: position ids restart at 0 for each
// packed example; segment ids number the examples 1, 2, 3, ... (0 = padding)
// under neat_packing, and are all 1 under plain packing.
struct EncodedExample {
  std::vector<int32_t> input_ids;
  std::vector<int32_t> labels;
  std::vector<int32_t> position_ids;
  std::vector<int32_t> segment_ids;
};

inline constexpr int32_t kIgnoreIndex = -100;  // LLaMA-Factory's IGNORE_INDEX

}  // namespace lf::data
