#include "data/converter.h"

namespace lf::data {
namespace {

// Reads an optional string column: absent or null -> "", a string -> itself,
// anything else -> an error message.
bool optional_string(const Row& row, const std::string& column, std::string* out, std::string* error) {
  out->clear();
  if (column.empty()) return true;
  auto it = row.find(column);
  if (it == row.end() || it->is_null()) return true;
  if (!it->is_string()) {
    *error = "column \"" + column + "\" must be a string, got " + std::string(it->type_name());
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

}  // namespace

Converted convert_alpaca(const Row& row, const DatasetAttr& attr) {
  Example ex;
  std::string error;

  if (!attr.history.empty()) {
    auto it = row.find(attr.history);
    if (it != row.end() && it->is_array()) {
      for (const auto& turn : *it) {
        if (!turn.is_array() || turn.size() != 2 || !turn[0].is_string() || !turn[1].is_string()) {
          return {std::nullopt, "column \"" + attr.history + "\" must be a list of [prompt, response] string pairs"};
        }
        ex.prompt.push_back({Role::user, turn[0].get<std::string>()});
        ex.prompt.push_back({Role::assistant, turn[1].get<std::string>()});
      }
    }
  }

  std::string prompt, query;
  if (!optional_string(row, attr.prompt, &prompt, &error) || !optional_string(row, attr.query, &query, &error)) {
    return {std::nullopt, error};
  }
  // "instruction\ninput", leaving out whichever is empty.
  std::string user = prompt;
  if (!query.empty()) user += (user.empty() ? "" : "\n") + query;
  ex.prompt.push_back({Role::user, user});

  if (attr.ranking) {
    auto c = row.find(attr.chosen), r = row.find(attr.rejected);
    if (c != row.end() && r != row.end() && c->is_string() && r->is_string()) {
      ex.response.push_back({Role::assistant, c->get<std::string>()});
      ex.response.push_back({Role::assistant, r->get<std::string>()});
    }
  } else if (auto it = row.find(attr.response); it != row.end() && it->is_string()) {
    ex.response.push_back({Role::assistant, it->get<std::string>()});
  } else if (it != row.end() && !it->is_null()) {
    return {std::nullopt, "column \"" + attr.response + "\" must be a string, got " + std::string(it->type_name())};
  }
  // A row without a response stays valid here: pre-training reads only the
  // prompt; supervised stages drop it when encoding.

  if (!optional_string(row, attr.system, &ex.system, &error)) return {std::nullopt, error};
  if (!attr.tools.empty()) {
    auto it = row.find(attr.tools);
    if (it != row.end() && !it->is_null()) ex.tools = it->is_string() ? it->get<std::string>() : it->dump();
  }
  return {std::move(ex), ""};
}

}  // namespace lf::data
