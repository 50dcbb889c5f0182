// Rows of a dataset_info.json hub entry (hf_hub_url / ms_hub_url), read as
// the Hugging Face `datasets` library finds a repo's data files: the config
// named by `subset` (README.md's `configs:`), `folder` as data_dir, the files
// of `split` (train/validation/test by file or folder name, or
// data/<split>-NNNNN-of-NNNNN shards; a repo without split names is all
// train). Only .json / .jsonl files are read.
#pragma once
#include <string>
#include <vector>

#include "data/dataset_info.h"
#include "data/loader.h"
#include "hub/hub.h"

namespace lf::data {

// Downloads (or finds in the cache) the split's files and reads their rows.
// `hub` supplies endpoints, cache, token and offline mode; the entry's source
// picks the hub. om_hub_url entries are refused.
std::vector<Row> load_hub_rows(const DatasetAttr& attr, const hub::HubOptions& hub);

// The repo files (paths relative to the repo root) holding attr.split, given
// every file of the repo and the text of its README.md ("" when absent).
// Throws lf::Error naming the entry when the split, subset or folder is not
// there or the files are in a format this build does not read.
std::vector<std::string> select_data_files(const std::vector<std::string>& repo_files,
                                           const std::string& readme, const DatasetAttr& attr);

}  // namespace lf::data
