// Reading dataset rows: .json (an array of objects, or JSON Lines) and .jsonl,
// a single file or a folder of them, local or fetched from a hub.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/dataset_info.h"
#include "data/options.h"

namespace lf::data {

// Key order is kept: tool lists are re-serialised into prompts in file order.
using Row = nlohmann::ordered_json;

// Rows of one file, or of every data file in a folder (sorted by name).
// Malformed JSON is an lf::Error naming the file and line.
std::vector<Row> read_rows(const std::string& path);

// Rows of a dataset_info entry: its file_name resolved against dataset_dir,
// or a hub entry fetched through the hub client with the options of the
// environment (HF_ENDPOINT, HF_HUB_CACHE / HF_HOME, HF_TOKEN, HF_HUB_OFFLINE,
// MODELSCOPE_DOMAIN / MODELSCOPE_CACHE; see hub_dataset.h) under options'
// cache_dir and hf_hub_token / ms_hub_token. Script and cloud sources are an
// lf::Error saying how to use a local file instead.
std::vector<Row> load_rows(const DatasetAttr& attr, const DataOptions& options);
// The same with every option at its default but dataset_dir.
std::vector<Row> load_rows(const DatasetAttr& attr, const std::string& dataset_dir);

}  // namespace lf::data
