// One entry of dataset_info.json (LLaMA-Factory's DatasetAttr): where a
// dataset comes from, its layout, and which columns / tags hold what.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lf::data {

enum class Formatting { alpaca, sharegpt };
enum class Source { file, hf_hub, ms_hub, om_hub, script, cloud_file };

struct DatasetAttr {
  std::string name;
  Source source = Source::file;
  std::string location;          // file_name, hub id, script or cloud path
  std::string source_key;        // the dataset_info.json key `location` came from
  Formatting formatting = Formatting::alpaca;
  bool ranking = false;
  std::string subset;
  std::string split = "train";
  std::string folder;
  std::optional<int64_t> num_samples;

  // columns (alpaca defaults filled in; sharegpt uses messages + tags)
  std::string prompt = "instruction";
  std::string query = "input";
  std::string response = "output";
  std::string history;
  std::string messages = "conversations";
  std::string system;
  std::string tools;
  std::string images, videos, audios;
  std::string chosen, rejected, kto_tag;

  // sharegpt tags
  std::string role_tag = "from";
  std::string content_tag = "value";
  std::string user_tag = "human";
  std::string assistant_tag = "gpt";
  std::string observation_tag = "observation";
  std::string function_tag = "function_call";
  std::string system_tag = "system";
};

// Which hub an entry with several hub URLs uses, as LLaMA-Factory decides:
// ms_hub_url when USE_MODELSCOPE_HUB is set (or it is the only URL besides
// om_hub_url), om_hub_url when USE_OPENMIND_HUB is set (or there is no
// hf_hub_url), else hf_hub_url.
struct HubChoice {
  bool modelscope = false;  // USE_MODELSCOPE_HUB
  bool openmind = false;    // USE_OPENMIND_HUB
  static HubChoice from_env();
};

// Reads `dataset_dir`/dataset_info.json and returns the attributes of each
// name in `names` (in order). Unknown names, malformed entries and
// unsupported sources are lf::Error with the file and the key named.
std::vector<DatasetAttr> read_dataset_info(const std::string& dataset_dir,
                                           const std::vector<std::string>& names);

// Parses the text of a dataset_info.json for `names`; `origin` names the file
// in messages.
std::vector<DatasetAttr> parse_dataset_info(const std::string& json_text,
                                            const std::vector<std::string>& names,
                                            const std::string& origin,
                                            const HubChoice& hubs = HubChoice::from_env());

// "a, b,c" -> {"a", "b", "c"}; empty items dropped.
std::vector<std::string> split_names(const std::string& list);

}  // namespace lf::data
