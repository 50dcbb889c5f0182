// tokenized_path: a folder holding the encoded dataset as JSON Lines
// (train.jsonl, eval.jsonl; one object per example with input_ids and labels,
// plus position_ids and segment_ids when packed) and meta.json.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/example.h"

namespace lf::data {

struct TokenizedMeta {
  int version = 1;
  std::string template_name;
  std::string stage;  // "sft" or "pt"
  int64_t cutoff_len = 0;
  bool packing = false;
  bool neat_packing = false;
  std::string datasets;
  std::string eval_datasets;
  int64_t num_train = 0;
  int64_t num_eval = 0;
};

struct TokenizedDataset {
  TokenizedMeta meta;
  std::vector<EncodedExample> train;
  std::vector<EncodedExample> eval;
};

// True when `path` holds a saved dataset (its meta.json exists).
bool tokenized_exists(const std::string& path);
// Writes into `path` (created if needed); files are written to temporary
// names and renamed, so a crash leaves no half-written dataset behind.
void save_tokenized(const std::string& path, const TokenizedDataset& data);
TokenizedDataset load_tokenized(const std::string& path);

}  // namespace lf::data
