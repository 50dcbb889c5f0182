#include "data/dataset_info.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "hparams/env_flag.h"

namespace lf::data {
namespace {

using nlohmann::json;

// Copies entry[key] into *out when present; it must be a string.
void take_string(const json& obj, const char* key, std::string* out, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return;
  LF_CHECK(it->is_string(), where, ": \"", key, "\" must be a string, got ", it->dump());
  *out = it->get<std::string>();
}

DatasetAttr parse_entry(const std::string& name, const json& entry, const std::string& origin,
                        const HubChoice& hubs) {
  const std::string where = origin + ", dataset \"" + name + "\"";
  LF_CHECK(entry.is_object(), where, ": the entry must be a JSON object");
  DatasetAttr attr;
  attr.name = name;

  // Source priority as in LLaMA-Factory: hub URL > script > cloud file > local file.
  const bool hf = entry.contains("hf_hub_url"), ms = entry.contains("ms_hub_url"),
             om = entry.contains("om_hub_url");
  if (hf || ms || om) {
    if (ms && (hubs.modelscope || !hf)) {
      attr.source = Source::ms_hub;
      attr.source_key = "ms_hub_url";
    } else if (om && (hubs.openmind || !hf)) {
      attr.source = Source::om_hub;
      attr.source_key = "om_hub_url";
    } else {
      attr.source = Source::hf_hub;
      attr.source_key = "hf_hub_url";
    }
  } else if (entry.contains("script_url")) {
    attr.source = Source::script;
    attr.source_key = "script_url";
  } else if (entry.contains("cloud_file_name")) {
    attr.source = Source::cloud_file;
    attr.source_key = "cloud_file_name";
  } else {
    LF_CHECK(entry.contains("file_name"), where,
             ": no data source; give \"file_name\" (a .json/.jsonl file or folder in dataset_dir) "
             "or \"hf_hub_url\" / \"ms_hub_url\"");
    attr.source = Source::file;
    attr.source_key = "file_name";
  }
  take_string(entry, attr.source_key.c_str(), &attr.location, where);

  std::string formatting = "alpaca";
  take_string(entry, "formatting", &formatting, where);
  if (formatting == "alpaca") {
    attr.formatting = Formatting::alpaca;
  } else if (formatting == "sharegpt") {
    attr.formatting = Formatting::sharegpt;
  } else {
    fail(where, ": unknown \"formatting\": \"", formatting, "\"; use \"alpaca\" or \"sharegpt\"");
  }

  if (auto it = entry.find("ranking"); it != entry.end() && !it->is_null()) {
    LF_CHECK(it->is_boolean(), where, ": \"ranking\" must be true or false");
    attr.ranking = it->get<bool>();
  }
  take_string(entry, "subset", &attr.subset, where);
  take_string(entry, "split", &attr.split, where);
  take_string(entry, "folder", &attr.folder, where);
  if (auto it = entry.find("num_samples"); it != entry.end() && !it->is_null()) {
    LF_CHECK(it->is_number_integer() && it->get<int64_t>() > 0, where,
             ": \"num_samples\" must be a positive integer, got ", it->dump());
    attr.num_samples = it->get<int64_t>();
  }

  if (auto it = entry.find("columns"); it != entry.end()) {
    LF_CHECK(it->is_object(), where, ": \"columns\" must be an object");
    const std::string cw = where + ", columns";
    take_string(*it, "prompt", &attr.prompt, cw);
    take_string(*it, "query", &attr.query, cw);
    take_string(*it, "response", &attr.response, cw);
    take_string(*it, "history", &attr.history, cw);
    take_string(*it, "messages", &attr.messages, cw);
    take_string(*it, "system", &attr.system, cw);
    take_string(*it, "tools", &attr.tools, cw);
    take_string(*it, "images", &attr.images, cw);
    take_string(*it, "videos", &attr.videos, cw);
    take_string(*it, "audios", &attr.audios, cw);
    take_string(*it, "chosen", &attr.chosen, cw);
    take_string(*it, "rejected", &attr.rejected, cw);
    take_string(*it, "kto_tag", &attr.kto_tag, cw);
  }
  // Tags only mean something for sharegpt, as in LLaMA-Factory.
  if (auto it = entry.find("tags"); it != entry.end() && attr.formatting == Formatting::sharegpt) {
    LF_CHECK(it->is_object(), where, ": \"tags\" must be an object");
    const std::string tw = where + ", tags";
    take_string(*it, "role_tag", &attr.role_tag, tw);
    take_string(*it, "content_tag", &attr.content_tag, tw);
    take_string(*it, "user_tag", &attr.user_tag, tw);
    take_string(*it, "assistant_tag", &attr.assistant_tag, tw);
    take_string(*it, "observation_tag", &attr.observation_tag, tw);
    take_string(*it, "function_tag", &attr.function_tag, tw);
    take_string(*it, "system_tag", &attr.system_tag, tw);
  }
  return attr;
}

}  // namespace

HubChoice HubChoice::from_env() {
  return {hparams::env_flag("USE_MODELSCOPE_HUB"), hparams::env_flag("USE_OPENMIND_HUB")};
}

std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto b = item.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    const auto e = item.find_last_not_of(" \t");
    out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

std::vector<DatasetAttr> parse_dataset_info(const std::string& json_text,
                                            const std::vector<std::string>& names,
                                            const std::string& origin, const HubChoice& hubs) {
  json info;
  try {
    info = json::parse(json_text);
  } catch (const json::parse_error& e) {
    fail(origin, " is not valid JSON: ", e.what());
  }
  LF_CHECK(info.is_object(), origin, " must hold a JSON object mapping dataset names to entries");
  std::vector<DatasetAttr> out;
  for (const auto& name : names) {
    auto it = info.find(name);
    LF_CHECK(it != info.end(), "Undefined dataset \"", name, "\" in ", origin,
             "; add an entry for it (see docs/data.md) or check the spelling");
    out.push_back(parse_entry(name, *it, origin, hubs));
  }
  return out;
}

std::vector<DatasetAttr> read_dataset_info(const std::string& dataset_dir,
                                           const std::vector<std::string>& names) {
  const std::string path = dataset_dir + "/dataset_info.json";
  std::ifstream in(path, std::ios::binary);
  LF_CHECK(in, "Cannot open ", path, ": set dataset_dir to the folder holding dataset_info.json");
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_dataset_info(buf.str(), names, path);
}

}  // namespace lf::data
