#include "data/tokenized_io.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"

namespace lf::data {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

constexpr const char* kFormat = "llamafactory.cpp tokenized dataset";

void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    LF_CHECK(out, "Cannot write ", tmp.string());
    out << text;
    out.flush();
    LF_CHECK(out, "Writing ", tmp.string(), " failed (disk full?)");
  }
  fs::rename(tmp, path);
}

std::string to_jsonl(const std::vector<EncodedExample>& rows) {
  std::string text;
  for (const auto& r : rows) {
    json j;
    j["input_ids"] = r.input_ids;
    j["labels"] = r.labels;
    if (!r.position_ids.empty()) j["position_ids"] = r.position_ids;
    if (!r.segment_ids.empty()) j["segment_ids"] = r.segment_ids;
    text += j.dump();
    text += '\n';
  }
  return text;
}

std::vector<int32_t> int_list(const json& j, const char* key, const fs::path& file, size_t line) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  LF_CHECK(it->is_array(), file.string(), " line ", line, ": \"", key, "\" must be a list of integers");
  std::vector<int32_t> out;
  out.reserve(it->size());
  for (const auto& v : *it) {
    LF_CHECK(v.is_number_integer(), file.string(), " line ", line, ": \"", key, "\" must be a list of integers");
    out.push_back(v.get<int32_t>());
  }
  return out;
}

std::vector<EncodedExample> read_jsonl(const fs::path& file) {
  std::vector<EncodedExample> rows;
  if (!fs::exists(file)) return rows;
  std::ifstream in(file, std::ios::binary);
  LF_CHECK(in, "Cannot open ", file.string());
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    json j;
    try {
      j = json::parse(line);
    } catch (const json::parse_error& e) {
      fail(file.string(), " line ", lineno, " is not valid JSON: ", e.what());
    }
    EncodedExample ex;
    ex.input_ids = int_list(j, "input_ids", file, lineno);
    ex.labels = int_list(j, "labels", file, lineno);
    ex.position_ids = int_list(j, "position_ids", file, lineno);
    ex.segment_ids = int_list(j, "segment_ids", file, lineno);
    LF_CHECK(!ex.input_ids.empty() && ex.labels.size() == ex.input_ids.size(), file.string(), " line ", lineno,
             ": needs non-empty \"input_ids\" and \"labels\" of equal length");
    LF_CHECK(ex.position_ids.empty() || ex.position_ids.size() == ex.input_ids.size(), file.string(), " line ",
             lineno, ": \"position_ids\" length differs from \"input_ids\"");
    LF_CHECK(ex.segment_ids.empty() || ex.segment_ids.size() == ex.input_ids.size(), file.string(), " line ",
             lineno, ": \"segment_ids\" length differs from \"input_ids\"");
    rows.push_back(std::move(ex));
  }
  return rows;
}

}  // namespace

bool tokenized_exists(const std::string& path) { return fs::exists(fs::path(path) / "meta.json"); }

void save_tokenized(const std::string& path, const TokenizedDataset& data) {
  const fs::path dir(path);
  fs::create_directories(dir);
  write_atomically(dir / "train.jsonl", to_jsonl(data.train));
  if (!data.eval.empty()) write_atomically(dir / "eval.jsonl", to_jsonl(data.eval));
  const TokenizedMeta& m = data.meta;
  json meta = {{"format", kFormat},
               {"version", m.version},
               {"template", m.template_name},
               {"stage", m.stage},
               {"cutoff_len", m.cutoff_len},
               {"packing", m.packing},
               {"neat_packing", m.neat_packing},
               {"dataset", m.datasets},
               {"eval_dataset", m.eval_datasets},
               {"num_train", data.train.size()},
               {"num_eval", data.eval.size()}};
  // meta.json last: its presence marks a complete dataset.
  write_atomically(dir / "meta.json", meta.dump(2) + "\n");
}

TokenizedDataset load_tokenized(const std::string& path) {
  const fs::path dir(path);
  std::ifstream in(dir / "meta.json", std::ios::binary);
  LF_CHECK(in, "Cannot open ", (dir / "meta.json").string(), ": tokenized_path holds no saved dataset");
  std::stringstream buf;
  buf << in.rdbuf();
  json meta;
  try {
    meta = json::parse(buf.str());
  } catch (const json::parse_error& e) {
    fail((dir / "meta.json").string(), " is not valid JSON: ", e.what());
  }
  LF_CHECK(meta.value("format", "") == kFormat, (dir / "meta.json").string(),
           " was not written by llamafactory.cpp (a Python LLaMA-Factory tokenized_path is an Arrow dataset; "
           "re-tokenise with this build)");
  TokenizedDataset data;
  TokenizedMeta& m = data.meta;
  m.version = meta.value("version", 0);
  LF_CHECK(m.version == 1, (dir / "meta.json").string(), ": unsupported version ", m.version);
  m.template_name = meta.value("template", "");
  m.stage = meta.value("stage", "");
  m.cutoff_len = meta.value("cutoff_len", int64_t{0});
  m.packing = meta.value("packing", false);
  m.neat_packing = meta.value("neat_packing", false);
  m.datasets = meta.value("dataset", "");
  m.eval_datasets = meta.value("eval_dataset", "");
  data.train = read_jsonl(dir / "train.jsonl");
  data.eval = read_jsonl(dir / "eval.jsonl");
  m.num_train = static_cast<int64_t>(data.train.size());
  m.num_eval = static_cast<int64_t>(data.eval.size());
  LF_CHECK(meta.value("num_train", int64_t{-1}) == m.num_train && meta.value("num_eval", int64_t{-1}) == m.num_eval,
           path, ": the example counts differ from meta.json (files were changed or truncated); delete the folder "
           "and tokenise again");
  return data;
}

}  // namespace lf::data
