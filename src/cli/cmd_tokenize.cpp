// `llamafactory-cli tokenize model_name_or_path=DIR [add_special_tokens=true]
// [decode=true] [skip_special_tokens=true]`: one JSON string per stdin line in,
// one JSON array of ids per line out (or the reverse with decode=true). Users
// count tokens with it; tests compare it with other tokenizers.
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.h"
#include "core/error.h"
#include "tokenizer/tokenizer.h"

namespace {

using nlohmann::json;

bool parse_bool(const std::string& key, const std::string& v) {
  if (v == "true" || v == "True" || v == "1") return true;
  if (v == "false" || v == "False" || v == "0") return false;
  lf::fail("tokenize: ", key, "=", v, " is not a boolean; use true or false");
}

int run_tokenize(const std::vector<std::string>& args) {
  std::map<std::string, std::string> kv = {{"add_special_tokens", "false"},
                                           {"decode", "false"},
                                           {"skip_special_tokens", "false"},
                                           {"split_special_tokens", "false"}};
  std::string path;
  for (const std::string& a : args) {
    const size_t eq = a.find('=');
    LF_CHECK(eq != std::string::npos, "tokenize: expected key=value, got '", a,
             "'; usage: llamafactory-cli tokenize model_name_or_path=DIR [add_special_tokens=true] [decode=true]");
    const std::string key = a.substr(0, eq), value = a.substr(eq + 1);
    if (key == "model_name_or_path") {
      path = value;
      continue;
    }
    LF_CHECK(kv.count(key), "tokenize: unknown key '", key,
             "' (known: model_name_or_path, add_special_tokens, decode, skip_special_tokens, split_special_tokens)");
    kv[key] = value;
  }
  LF_CHECK(!path.empty(), "tokenize: model_name_or_path=DIR is required (a directory with tokenizer.json)");
  const auto tok = lf::tok::Tokenizer::load(path);
  const bool add_special = parse_bool("add_special_tokens", kv["add_special_tokens"]);
  const bool decode = parse_bool("decode", kv["decode"]);
  const bool skip_special = parse_bool("skip_special_tokens", kv["skip_special_tokens"]);
  const bool split_special = parse_bool("split_special_tokens", kv["split_special_tokens"]);

  std::string line;
  for (size_t n = 1; std::getline(std::cin, line); ++n) {
    json in;
    try {
      in = json::parse(line);
    } catch (const json::exception&) {
      lf::fail("tokenize: stdin line ", n, " is not JSON; write one JSON ", decode ? "array of ids" : "string",
               " per line");
    }
    std::string out;
    if (decode) {
      LF_CHECK(in.is_array(), "tokenize: stdin line ", n, " must be a JSON array of ids (decode=true)");
      std::vector<int32_t> ids;
      for (const json& id : in) {
        LF_CHECK(id.is_number_integer(), "tokenize: stdin line ", n, ": ", id.dump(), " is not an integer id");
        ids.push_back(id.get<int32_t>());
      }
      out = json(tok.decode(ids, skip_special)).dump();
    } else {
      LF_CHECK(in.is_string(), "tokenize: stdin line ", n, " must be a JSON string");
      out = json(tok.encode(in.get<std::string>(), add_special, split_special)).dump();
    }
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);  // answer each line at once when driven interactively
  }
  return 0;
}

}  // namespace

LF_REGISTER_COMMAND(tokenize, "tokenize", "tokenize JSON strings from stdin (decode=true: the reverse)", run_tokenize);
