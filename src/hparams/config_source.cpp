#include "hparams/config_source.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"

namespace lf::hparams {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

RawValue from_yaml(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return RawValue::null();
    case YAML::NodeType::Scalar:
      return RawValue::scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      RawValue v{RawValue::Kind::list, "", {}};
      for (const auto& item : node) {
        // A list of lists or mappings matches no field type.
        if (!item.IsScalar()) return RawValue{RawValue::Kind::mapping, "", {}};
        v.items.push_back(item.Scalar());
      }
      return v;
    }
    case YAML::NodeType::Map:
      break;
  }
  return RawValue{RawValue::Kind::mapping, "", {}};
}

std::string json_scalar(const nlohmann::json& j) {
  return j.is_string() ? j.get<std::string>() : j.dump();
}

RawValue from_json(const nlohmann::json& j) {
  if (j.is_null()) return RawValue::null();
  if (j.is_object()) return RawValue{RawValue::Kind::mapping, "", {}};
  if (j.is_array()) {
    RawValue v{RawValue::Kind::list, "", {}};
    for (const auto& item : j) {
      if (item.is_object() || item.is_array()) return RawValue{RawValue::Kind::mapping, "", {}};
      v.items.push_back(json_scalar(item));
    }
    return v;
  }
  return RawValue::scalar(json_scalar(j));
}

std::vector<RawSetting> read_yaml(const std::string& path, const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    fail("config file ", path, " is not valid YAML (line ", e.mark.line + 1, ", column ",
         e.mark.column + 1, "): ", e.msg, ". Fix the syntax and run again.");
  }
  if (root.IsNull()) return {};
  LF_CHECK(root.IsMap(), "config file ", path,
           " must be a mapping of keys to values (key: value per line)");
  std::vector<RawSetting> out;
  for (const auto& kv : root) {
    LF_CHECK(kv.first.IsScalar(), "config file ", path, ": every key must be a plain name");
    out.push_back({kv.first.Scalar(), from_yaml(kv.second), "in config file " + path});
  }
  return out;
}

std::vector<RawSetting> read_json(const std::string& path, const std::string& text) {
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    fail("config file ", path, " is not valid JSON: ", e.what(), ". Fix the syntax and run again.");
  }
  LF_CHECK(root.is_object(), "config file ", path, " must be a JSON object of keys to values");
  std::vector<RawSetting> out;
  for (const auto& [key, value] : root.items()) {
    out.push_back({key, from_json(value), "in config file " + path});
  }
  return out;
}

}  // namespace

bool is_config_path(const std::string& arg) {
  return ends_with(arg, ".yaml") || ends_with(arg, ".yml") || ends_with(arg, ".json");
}

std::vector<RawSetting> read_config_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  LF_CHECK(fs::exists(path, ec), "config file ", path,
           " not found. Check the path (relative paths start from the current directory).");
  LF_CHECK(!fs::is_directory(path, ec), "config file ", path, " is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  LF_CHECK(in, "cannot read config file ", path, ": check its permissions");
  std::ostringstream text;
  text << in.rdbuf();
  return ends_with(path, ".json") ? read_json(path, text.str()) : read_yaml(path, text.str());
}

RawValue command_line_value(const std::string& text) {
  if (text == "null" || text == "~") return RawValue::null();
  return RawValue::scalar(text);
}

std::vector<RawSetting> read_overrides(const std::vector<std::string>& args, size_t first,
                                       const std::function<bool(const std::string&)>& is_bool) {
  const std::string origin = "on the command line";
  std::vector<RawSetting> out;
  for (size_t i = first; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) == 0) {
      std::string body = arg.substr(2);
      auto eq = body.find('=');
      if (eq != std::string::npos) {
        out.push_back({body.substr(0, eq), command_line_value(body.substr(eq + 1)), origin});
      } else if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
        out.push_back({body, command_line_value(args[++i]), origin});
      } else {
        // A bare flag: true for booleans (HfArgumentParser's `--do_train`).
        LF_CHECK(is_bool(body), "command-line flag --", body,
                 " needs a value: write --", body, " VALUE or ", body, "=VALUE");
        out.push_back({body, RawValue::scalar("true"), origin});
      }
      continue;
    }
    auto eq = arg.find('=');
    if (eq != std::string::npos && eq > 0) {
      out.push_back({arg.substr(0, eq), command_line_value(arg.substr(eq + 1)), origin});
      continue;
    }
    if (is_config_path(arg)) {
      fail("config file ", arg, " must come first, right after the command (got it at position ",
           i + 1, ")");
    }
    fail("unexpected argument '", arg, "': give settings as key=value or --key value, or a "
         "config file ending in .yaml, .yml or .json as the first argument");
  }
  return out;
}

}  // namespace lf::hparams
