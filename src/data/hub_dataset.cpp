#include "data/hub_dataset.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <regex>

#include "core/atomic_file.h"
#include "core/error.h"
#include "hub/dataset_repo.h"

namespace lf::data {
namespace {

// Every file extension the `datasets` library loads as data; anything else in
// a repo (images for the card, scripts, licences) is not a data file.
const char* const kDataExtensions[] = {"json", "jsonl", "ndjson", "parquet", "geoparquet", "arrow", "csv",
                                       "tsv",  "txt",   "xml",    "tar",     "zip",        "gz",    "bz2",
                                       "xz",   "zst",   "lz4",    "h5",      "hdf5"};
// Metadata files `datasets` never takes as data.
const char* const kIgnoredNames[] = {"README.md", "config.json", "dataset_info.json", "dataset_infos.json",
                                     "dataset_dict.json", "state.json"};

std::string extension(const std::string& path) {
  const auto slash = path.rfind('/');
  const auto dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

std::string basename(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool is_hidden(const std::string& path) {  // any component starting with "." or "__"
  size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '.' || path.compare(start, 2, "__") == 0) return true;
    const auto slash = path.find('/', start);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return false;
}

bool is_data_file(const std::string& path) {
  if (is_hidden(path)) return false;
  const std::string name = basename(path);
  if (std::find(std::begin(kIgnoredNames), std::end(kIgnoredNames), name) != std::end(kIgnoredNames)) return false;
  const std::string ext = extension(path);
  return std::find(std::begin(kDataExtensions), std::end(kDataExtensions), ext) != std::end(kDataExtensions);
}

// fsspec-style glob: `*` and `?` stay inside one path component, `**` crosses them.
std::regex glob_regex(const std::string& glob) {
  std::string re;
  for (size_t i = 0; i < glob.size(); ++i) {
    const char c = glob[i];
    if (c == '*' && i + 1 < glob.size() && glob[i + 1] == '*') {
      const bool dir = i + 2 < glob.size() && glob[i + 2] == '/';
      re += dir ? "(?:.*/)?" : ".*";
      i += dir ? 2 : 1;
    } else if (c == '*') {
      re += "[^/]*";
    } else if (c == '?') {
      re += "[^/]";
    } else if (c == '[') {
      const auto close = glob.find(']', i + 1);
      if (close == std::string::npos) {
        re += "\\[";
        continue;
      }
      std::string cls = glob.substr(i + 1, close - i - 1);
      if (!cls.empty() && cls[0] == '!') cls[0] = '^';
      re += "[" + cls + "]";
      i = close;
    } else if (std::string("\\^$.|+(){}").find(c) != std::string::npos) {
      re += std::string("\\") + c;
    } else {
      re += c;
    }
  }
  return std::regex(re);
}

using SplitFiles = std::map<std::string, std::vector<std::string>>;

// The keywords `datasets` takes as split names in file and folder names.
const std::vector<std::pair<std::string, std::vector<std::string>>>& split_keywords() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> k = {
      {"train", {"train", "training"}},
      {"validation", {"validation", "valid", "dev", "val"}},
      {"test", {"test", "testing", "eval", "evaluation"}}};
  return k;
}

bool is_sep(char c) { return c == '-' || c == '.' || c == '_' || c == ' ' || (c >= '0' && c <= '9'); }

// `word` delimited in `name` by its ends or separator characters; a file name
// needs a separator after it (train.json, my_train_file.json).
bool has_keyword(const std::string& name, const std::string& word, bool file) {
  for (size_t pos = name.find(word); pos != std::string::npos; pos = name.find(word, pos + 1)) {
    const size_t end = pos + word.size();
    const bool before = pos == 0 || is_sep(name[pos - 1]);
    const bool after = end < name.size() ? is_sep(name[end]) : !file;
    if (before && after) return true;
  }
  return false;
}

bool in_dir_keyword(const std::string& path, const std::string& word) {
  size_t start = 0;
  for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', start)) {
    if (has_keyword(path.substr(start, slash - start), word, false)) return true;
    start = slash + 1;
  }
  return false;
}

// Splits inferred from names, in the order `datasets` tries them: sharded
// data/<split>-NNNNN-of-NNNNN files, split folders, split file names, and
// otherwise everything as train.
SplitFiles infer_splits(const std::vector<std::string>& files) {
  static const std::regex sharded(R"(data/(\w+)-[0-9]{5}-of-[0-9]{5}[^/]*\.[^/]+)");
  SplitFiles out;
  for (const auto& f : files) {
    std::smatch m;
    if (std::regex_match(f, m, sharded)) out[m[1]].push_back(f);
  }
  if (!out.empty()) return out;
  for (bool file : {false, true}) {
    for (const auto& [split, words] : split_keywords()) {
      for (const auto& f : files) {
        const bool hit = std::any_of(words.begin(), words.end(), [&](const std::string& w) {
          return file ? has_keyword(basename(f), w, true) : in_dir_keyword(f, w);
        });
        if (hit) out[split].push_back(f);
      }
    }
    if (!out.empty()) return out;
  }
  if (!files.empty()) out["train"] = files;
  return out;
}

struct Config {
  std::string name;
  std::string data_dir;
  bool is_default = false;
  std::vector<std::pair<std::string, std::vector<std::string>>> patterns;  // split -> globs; empty: infer
};

std::vector<std::string> as_strings(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n.IsScalar()) out.push_back(n.as<std::string>());
  if (n.IsSequence())
    for (const auto& v : n)
      if (v.IsScalar()) out.push_back(v.as<std::string>());
  return out;
}

// The `configs:` list of a dataset card's YAML header.
std::vector<Config> card_configs(const std::string& readme, const std::string& where) {
  if (!readme.starts_with("---")) return {};
  const auto end = readme.find("\n---", 3);
  if (end == std::string::npos) return {};
  std::vector<Config> out;
  try {
    const YAML::Node meta = YAML::Load(readme.substr(3, end - 3));
    if (!meta.IsMap() || !meta["configs"] || !meta["configs"].IsSequence()) return out;
    for (const auto& c : meta["configs"]) {
      if (!c.IsMap()) continue;
      Config cfg;
      cfg.name = c["config_name"] ? c["config_name"].as<std::string>() : "default";
      if (c["data_dir"]) cfg.data_dir = c["data_dir"].as<std::string>();
      if (c["default"]) cfg.is_default = c["default"].as<bool>();
      const YAML::Node files = c["data_files"];
      if (files && (files.IsScalar() || (files.IsSequence() && files.size() && files[0].IsScalar()))) {
        cfg.patterns.push_back({"train", as_strings(files)});
      } else if (files && files.IsSequence()) {
        for (const auto& s : files)
          if (s.IsMap() && s["split"] && s["path"])
            cfg.patterns.push_back({s["split"].as<std::string>(), as_strings(s["path"])});
      } else if (files && files.IsMap()) {
        for (const auto& kv : files) cfg.patterns.push_back({kv.first.as<std::string>(), as_strings(kv.second)});
      }
      out.push_back(std::move(cfg));
    }
  } catch (const YAML::Exception& e) {
    fail(where, ": the `configs` in README.md's YAML header cannot be read: ", e.what());
  }
  return out;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::string join_dir(const std::string& a, const std::string& b) {
  std::string out = a;
  while (!out.empty() && out.back() == '/') out.pop_back();
  std::string tail = b;
  while (!tail.empty() && (tail.front() == '/' || tail.starts_with("./"))) tail.erase(0, tail.front() == '/' ? 1 : 2);
  while (!tail.empty() && tail.back() == '/') tail.pop_back();
  if (out.empty()) return tail;
  return tail.empty() ? out : out + "/" + tail;
}

const Config* pick_config(const std::vector<Config>& configs, const DatasetAttr& attr, const std::string& where) {
  std::vector<std::string> names;
  for (const auto& c : configs) names.push_back(c.name);
  if (!attr.subset.empty()) {
    for (const auto& c : configs)
      if (c.name == attr.subset) return &c;
    LF_CHECK(!configs.empty(), where, ": \"subset\": \"", attr.subset,
             "\" is not a config of this dataset (its README.md declares no configs); remove \"subset\"");
    fail(where, ": \"subset\": \"", attr.subset, "\" is not a config of this dataset; it has: ", join_names(names));
  }
  if (configs.empty()) return nullptr;
  for (const auto& c : configs)
    if (c.is_default) return &c;
  for (const auto& c : configs)
    if (c.name == "default") return &c;
  LF_CHECK(configs.size() == 1, where, ": the dataset has several configs (", join_names(names),
           "); choose one with \"subset\"");
  return &configs.front();
}

std::string where_of(const DatasetAttr& attr) {
  return "Dataset \"" + attr.name + "\" (" + attr.source_key + ": " + attr.location + ")";
}

}  // namespace

std::vector<std::string> select_data_files(const std::vector<std::string>& repo_files, const std::string& readme,
                                           const DatasetAttr& attr) {
  const std::string where = where_of(attr);
  LF_CHECK(std::none_of(repo_files.begin(), repo_files.end(),
                        [](const std::string& f) { return f.find('/') == std::string::npos && f.ends_with(".py"); }),
           where, " is built by a Python loading script, which is not run here; export the data as .json/.jsonl "
           "and use \"file_name\"");
  const std::vector<Config> configs = card_configs(readme, where);
  const Config* cfg = pick_config(configs, attr, where);
  const std::string base = join_dir(cfg ? cfg->data_dir : "", attr.folder);
  const std::string prefix = base.empty() ? "" : base + "/";

  std::vector<std::string> files;  // data files under base, relative to it
  for (const auto& f : repo_files)
    if (f.starts_with(prefix) && is_data_file(f)) files.push_back(f.substr(prefix.size()));
  std::sort(files.begin(), files.end());
  LF_CHECK(!files.empty(), where, ": no data files ", base.empty() ? std::string("in the repo") : "under \"" + base + "\"",
           base.empty() ? "" : "; check \"folder\" in dataset_info.json");

  SplitFiles splits;
  if (cfg && !cfg->patterns.empty()) {
    for (const auto& [split, globs] : cfg->patterns) {
      for (const auto& g : globs) {
        std::regex re;
        try {
          re = glob_regex(g);
        } catch (const std::regex_error&) {
          fail(where, ": the data_files pattern \"", g, "\" in README.md is not a valid glob");
        }
        for (const auto& f : files)
          if (std::regex_match(f, re)) splits[split].push_back(f);
      }
    }
  } else {
    splits = infer_splits(files);
  }
  auto it = splits.find(attr.split);
  if (it == splits.end() || it->second.empty()) {
    std::vector<std::string> names;
    for (const auto& [s, f] : splits)
      if (!f.empty()) names.push_back(s);
    fail(where, ": split \"", attr.split, "\" not found; the dataset has: ", join_names(names),
         ". Set \"split\" in dataset_info.json");
  }
  std::vector<std::string> chosen = it->second;
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());

  std::map<std::string, int> unsupported;
  for (const auto& f : chosen) {
    const std::string ext = extension(f);
    if (ext != "json" && ext != "jsonl") ++unsupported[ext];
  }
  if (!unsupported.empty()) {
    std::string kinds;
    for (const auto& [ext, n] : unsupported) kinds += (kinds.empty() ? "" : ", ") + std::to_string(n) + " ." + ext;
    fail(where, ": the \"", attr.split, "\" split is stored as ", kinds, " file(s) (e.g. ", prefix + chosen.front(),
         "); this build reads only .json and .jsonl (parquet, arrow, csv and txt are not supported). Convert the data "
         "to JSON Lines (in Python: datasets.load_dataset(\"", attr.location, "\", split=\"", attr.split,
         "\").to_json(\"", attr.name, ".jsonl\")), put it in dataset_dir and use \"file_name\"");
  }
  for (auto& f : chosen) f = prefix + f;
  return chosen;
}

std::vector<Row> load_hub_rows(const DatasetAttr& attr, const hub::HubOptions& hub) {
  const std::string where = where_of(attr);
  LF_CHECK(attr.source != Source::om_hub, where,
           ": the OpenMind hub (USE_OPENMIND_HUB / om_hub_url) is not supported; give \"hf_hub_url\" or "
           "\"ms_hub_url\", or download the data as .json/.jsonl into dataset_dir and use \"file_name\"");
  const std::string& id = attr.location;
  const auto slash = id.find('/');
  LF_CHECK(slash != std::string::npos && slash > 0 && slash + 1 < id.size() && id.find('/', slash + 1) == std::string::npos &&
               id.find("..") == std::string::npos && id.find(' ') == std::string::npos,
           where, ": \"", id, "\" is not a hub dataset id like \"llamafactory/alpaca_en\"");

  hub::HubOptions o = hub;
  o.modelscope = attr.source == Source::ms_hub;
  o.revision = "main";                // LLaMA-Factory loads hub datasets at their default branch
  try {
    const auto repo = hub::DatasetRepo::open(id, o);
    const auto& all = repo.files();
    std::string readme;
    if (std::find(all.begin(), all.end(), "README.md") != all.end()) readme = read_file(repo.fetch({"README.md"}).at(0));
    std::vector<std::string> chosen;
    try {
      chosen = select_data_files(all, readme, attr);
    } catch (const Error& e) {
      if (!repo.from_cache()) throw;
      fail(e.what(), " (reading the cache only: it holds just the files earlier runs downloaded)");
    }
    std::vector<Row> rows;
    for (const auto& path : repo.fetch(chosen)) {
      auto part = read_rows(path.string());
      rows.insert(rows.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    }
    return rows;
  } catch (const Error& e) {
    const std::string msg = e.what();
    if (msg.starts_with("Dataset \"")) throw;
    fail(where, ": ", msg);
  }
}

}  // namespace lf::data
