#include "data/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "data/hub_dataset.h"

namespace lf::data {
namespace fs = std::filesystem;
namespace {

const char* kSupported = "supported: .json, .jsonl (a file, or a folder of them)";

std::string extension_of(const fs::path& p) {
  std::string ext = p.extension().string();
  if (!ext.empty()) ext.erase(0, 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

void check_file_type(const fs::path& p) {
  const std::string ext = extension_of(p);
  if (ext == "json" || ext == "jsonl") return;
  if (ext == "parquet" || ext == "arrow" || ext == "csv" || ext == "txt") {
    fail("Dataset file ", p.string(), " is ", ext, ", which this build cannot read (", kSupported,
         "); convert it to JSON Lines, one object per row");
  }
  fail("Dataset file ", p.string(), " has an unknown type (", kSupported, ")");
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  LF_CHECK(in, "Cannot open dataset file ", p.string());
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// JSON Lines: one value per non-blank line.
std::vector<Row> parse_lines(const std::string& text, const fs::path& p) {
  std::vector<Row> rows;
  std::istringstream in(text);
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      rows.push_back(Row::parse(line));
    } catch (const Row::parse_error& e) {
      fail("Dataset file ", p.string(), " line ", lineno, " is not valid JSON: ", e.what());
    }
  }
  return rows;
}

std::vector<Row> read_file(const fs::path& p) {
  check_file_type(p);
  const std::string text = read_text(p);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  // A .json file holds either one array of rows or JSON Lines, as the
  // Hugging Face json loader accepts both.
  if (text[first] == '[') {
    Row doc;
    try {
      doc = Row::parse(text);
    } catch (const Row::parse_error& e) {
      const size_t line = 1 + std::count(text.begin(), text.begin() + std::min(e.byte, text.size()), '\n');
      fail("Dataset file ", p.string(), " is not valid JSON (near line ", line, "): ", e.what());
    }
    return std::vector<Row>(doc.begin(), doc.end());
  }
  return parse_lines(text, p);
}

}  // namespace

std::vector<Row> read_rows(const std::string& path) {
  const fs::path p(path);
  LF_CHECK(fs::exists(p), "Dataset file ", path, " does not exist");
  if (!fs::is_directory(p)) return read_file(p);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(p)) {
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') files.push_back(entry.path());
  }
  LF_CHECK(!files.empty(), "Dataset folder ", path, " holds no files (", kSupported, ")");
  std::sort(files.begin(), files.end());
  // The Hugging Face loader reads a folder as one file type; mixing is an error there too.
  const std::string ext = extension_of(files.front());
  std::vector<Row> rows;
  for (const auto& f : files) {
    LF_CHECK(extension_of(f) == ext, "Dataset folder ", path, " mixes file types (", files.front().filename().string(),
             ", ", f.filename().string(), "); keep one type per folder");
    auto part = read_file(f);
    rows.insert(rows.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
  }
  return rows;
}

std::vector<Row> load_rows(const DatasetAttr& attr, const std::string& dataset_dir) {
  DataOptions options;
  options.dataset_dir = dataset_dir;
  return load_rows(attr, options);
}

std::vector<Row> load_rows(const DatasetAttr& attr, const DataOptions& options) {
  const std::string& dataset_dir = options.dataset_dir;
  switch (attr.source) {
    case Source::hf_hub:
    case Source::ms_hub:
    case Source::om_hub: {
      hub::HubOptions hub = hub::HubOptions::from_env();
      if (options.cache_dir) hub.cache_dir = options.cache_dir;
      // HF_TOKEN is not a ModelScope credential; an explicit token wins over it.
      if (attr.source == Source::ms_hub) hub.token = options.ms_hub_token;
      else if (options.hf_hub_token) hub.token = options.hf_hub_token;
      return load_hub_rows(attr, hub);
    }
    case Source::script:
      fail("Dataset \"", attr.name, "\" uses a loading script (script_url: ", attr.location,
           "); scripts are Python and are not run here. Export the data as .json/.jsonl and use \"file_name\"");
    case Source::cloud_file:
      fail("Dataset \"", attr.name, "\" is a cloud file (cloud_file_name: ", attr.location,
           "); download it into ", dataset_dir, " and use \"file_name\"");
    case Source::file:
      break;
  }
  LF_CHECK(attr.split == "train", "Dataset \"", attr.name, "\": split \"", attr.split,
           "\" does not exist; a local file has only the \"train\" split");
  return read_rows((fs::path(dataset_dir) / attr.location).string());
}

}  // namespace lf::data
