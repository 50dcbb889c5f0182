#include "data/converter.h"

namespace lf::data {
namespace {

struct Tagged {
  std::string role, content;
};

// Reads {role_tag: ..., content_tag: ...}; false with a reason otherwise.
bool read_message(const Row& m, const DatasetAttr& attr, Tagged* out, std::string* error) {
  if (!m.is_object()) {
    *error = "a message is not an object";
    return false;
  }
  auto r = m.find(attr.role_tag), c = m.find(attr.content_tag);
  if (r == m.end() || !r->is_string()) {
    *error = "a message has no string \"" + attr.role_tag + "\"";
    return false;
  }
  if (c == m.end() || !c->is_string()) {
    *error = "a message has no string \"" + attr.content_tag + "\"";
    return false;
  }
  out->role = r->get<std::string>();
  out->content = c->get<std::string>();
  return true;
}

}  // namespace

Converted convert_sharegpt(const Row& row, const DatasetAttr& attr) {
  auto it = row.find(attr.messages);
  if (it == row.end()) return {std::nullopt, "missing column \"" + attr.messages + "\""};
  if (!it->is_array()) return {std::nullopt, "column \"" + attr.messages + "\" must be a list of messages"};

  std::vector<Tagged> messages;
  std::string error;
  for (const auto& m : *it) {
    Tagged t;
    if (!read_message(m, attr, &t, &error)) return {std::nullopt, error};
    messages.push_back(std::move(t));
  }

  Example ex;
  size_t first = 0;
  if (!attr.system_tag.empty() && !messages.empty() && messages[0].role == attr.system_tag) {
    ex.system = messages[0].content;
    first = 1;
  } else if (!attr.system.empty()) {
    auto s = row.find(attr.system);
    if (s != row.end() && !s->is_null()) {
      if (!s->is_string()) return {std::nullopt, "column \"" + attr.system + "\" must be a string"};
      ex.system = s->get<std::string>();
    }
  }

  // Odd positions (1-based) hold user/observation, even ones assistant/function.
  std::vector<Message> aligned;
  for (size_t i = first; i < messages.size(); ++i) {
    const std::string& tag = messages[i].role;
    const bool odd = (i - first) % 2 == 0;
    Role role;
    if (odd && tag == attr.user_tag) role = Role::user;
    else if (odd && tag == attr.observation_tag) role = Role::observation;
    else if (!odd && tag == attr.assistant_tag) role = Role::assistant;
    else if (!odd && tag == attr.function_tag) role = Role::function;
    else {
      return {std::nullopt, "invalid role \"" + tag + "\" at message " + std::to_string(i + 1) + " (expected " +
                                (odd ? attr.user_tag + " or " + attr.observation_tag
                                     : attr.assistant_tag + " or " + attr.function_tag) + ")"};
    }
    aligned.push_back({role, std::move(messages[i].content)});
  }

  if (attr.ranking) {
    if (aligned.size() % 2 == 0) return {std::nullopt, "a ranking example needs an odd number of messages"};
    auto c = row.find(attr.chosen), r = row.find(attr.rejected);
    if (c == row.end() || r == row.end()) return {std::nullopt, "missing \"" + attr.chosen + "\" or \"" + attr.rejected + "\""};
    Tagged tc, tr;
    if (!read_message(*c, attr, &tc, &error) || !read_message(*r, attr, &tr, &error)) return {std::nullopt, error};
    for (const Tagged* t : {&tc, &tr}) {
      if (t->role != attr.assistant_tag && t->role != attr.function_tag) {
        return {std::nullopt, "chosen/rejected role \"" + t->role + "\" must be " + attr.assistant_tag + " or " + attr.function_tag};
      }
      ex.response.push_back({t->role == attr.assistant_tag ? Role::assistant : Role::function, t->content});
    }
    ex.prompt = std::move(aligned);
  } else {
    if (aligned.size() % 2 != 0) return {std::nullopt, "invalid message count " + std::to_string(aligned.size()) + " (must be even)"};
    if (aligned.empty()) return {std::nullopt, "no messages"};
    ex.response.push_back(std::move(aligned.back()));
    aligned.pop_back();
    ex.prompt = std::move(aligned);
  }

  if (!attr.tools.empty()) {
    auto t = row.find(attr.tools);
    if (t != row.end() && !t->is_null()) ex.tools = t->is_string() ? t->get<std::string>() : t->dump();
  }
  return {std::move(ex), ""};
}

}  // namespace lf::data
