// Hub dataset entries (hf_hub_url / ms_hub_url) against a loopback server
// speaking both hubs' dataset APIs, and the data-file selection rules.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/hub_dataset.h"
#include "data/loader.h"
#include "fake_vocab.h"
#include "hub/sha256.h"

namespace lf::data {
namespace {
namespace fs = std::filesystem;

const std::string kCommit = "89abcdef0123456789abcdef0123456789abcdef";

std::string alpaca_lines(const std::string& tag, int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += R"({"instruction": ")" + tag + " question " + std::to_string(i) + R"(", "input": "", "output": "answer )" +
         std::to_string(i * 7) + "\"}\n";
  return s;
}

using Files = std::map<std::string, std::string>;

// Dataset repos org/<name>: "alpaca" (train and test jsonl), "gated" (the
// same, needing "Bearer secret"), "parquet" (parquet shards only); "missing"
// is a 404. Records the files served.
class FakeDatasetHub {
 public:
  FakeDatasetHub() {
    const Files alpaca = {{"README.md", "---\nlicense: apache-2.0\n---\n# alpaca\n"},
                          {".gitattributes", "*.parquet filter=lfs"},
                          {"data/train.jsonl", alpaca_lines("train", 12)},
                          {"data/test.jsonl", alpaca_lines("test", 3)}};
    repos_ = {{"alpaca", alpaca},
              {"gated", alpaca},
              {"parquet",
               {{"README.md", "# parquet"},
                {"data/train-00000-of-00002.parquet", "PAR1"},
                {"data/train-00001-of-00002.parquet", "PAR1"}}}};
    server_.Get(R"(/api/datasets/org/([a-z]+)/revision/([^/?]+))", [this](const auto& req, auto& res) {
      const Files* files = repo(req, res);
      if (!files) return;
      nlohmann::json sib = nlohmann::json::array();
      for (const auto& [name, body] : *files) {
        nlohmann::json s = {{"rfilename", name}, {"size", body.size()}};
        if (name.ends_with(".jsonl")) s["lfs"] = {{"sha256", sha(body)}, {"size", body.size()}};
        sib.push_back(s);
      }
      res.set_content(nlohmann::json{{"sha", kCommit}, {"siblings", sib}}.dump(), "application/json");
    });
    server_.Get(R"(/datasets/org/([a-z]+)/resolve/([0-9a-f]+)/(.+))", [this](const auto& req, auto& res) {
      if (const Files* files = repo(req, res)) serve(*files, req.matches[3], res);
    });
    server_.Get(R"(/api/v1/datasets/org/([a-z]+)/repo/tree)", [this](const auto& req, auto& res) {
      const Files* files = repo(req, res);
      if (!files) return;
      ms_revision_ = req.get_param_value("Revision");
      nlohmann::json list = nlohmann::json::array();
      for (const auto& [name, body] : *files)
        list.push_back({{"Path", name}, {"Type", "blob"}, {"Size", body.size()}, {"Sha256", sha(body)}});
      list.push_back({{"Path", "data"}, {"Type", "tree"}});
      res.set_content(nlohmann::json{{"Code", 200}, {"Data", {{"Files", list}}}}.dump(), "application/json");
    });
    server_.Get(R"(/api/v1/datasets/org/([a-z]+)/repo)", [this](const auto& req, auto& res) {
      if (const Files* files = repo(req, res)) serve(*files, req.get_param_value("FilePath"), res);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeDatasetHub() {
    server_.stop();
    thread_.join();
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& file(const std::string& repo, const std::string& name) { return repos_.at(repo).at(name); }
  std::vector<std::string> served() {
    std::lock_guard<std::mutex> lock(mu_);
    return served_;
  }
  std::string ms_revision() const { return ms_revision_; }

 private:
  static std::string sha(const std::string& body) {
    hub::Sha256 h;
    h.update(body.data(), body.size());
    return h.hex_digest();
  }
  const Files* repo(const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    if (name == "gated" && req.get_header_value("Authorization") != "Bearer secret") {
      res.status = 401;
      return nullptr;
    }
    auto it = repos_.find(name);
    if (it == repos_.end()) {
      res.status = 404;
      return nullptr;
    }
    return &it->second;
  }
  void serve(const Files& files, const std::string& name, httplib::Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      served_.push_back(name);
    }
    auto it = files.find(name);
    if (it == files.end()) {
      res.status = 404;
      return;
    }
    res.set_content(it->second, "application/octet-stream");
  }

  std::map<std::string, Files> repos_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<std::string> served_;
  std::string ms_revision_;
};

fs::path scratch() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path dir = fs::path(LF_BINARY_DIR) / "test-data-scratch" / (std::string(info->test_suite_name()) + "." + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

DatasetAttr hub_attr(const std::string& id, Source source = Source::hf_hub) {
  DatasetAttr a;
  a.name = "remote";
  a.source = source;
  a.source_key = source == Source::ms_hub ? "ms_hub_url" : source == Source::om_hub ? "om_hub_url" : "hf_hub_url";
  a.location = id;
  return a;
}

hub::HubOptions options(const FakeDatasetHub& hub, const fs::path& cache) {
  hub::HubOptions o;
  o.hf_endpoint = hub.endpoint();
  o.ms_endpoint = hub.endpoint();
  o.cache_dir = cache.string();
  o.progress = false;
  return o;
}

std::vector<std::string> select(const std::vector<std::string>& files, const std::string& split = "train",
                                const std::string& folder = "", const std::string& subset = "",
                                const std::string& readme = "") {
  DatasetAttr a = hub_attr("org/x");
  a.split = split;
  a.folder = folder;
  a.subset = subset;
  return select_data_files(files, readme, a);
}

using Paths = std::vector<std::string>;

TEST(HubDataset, SplitsFollowTheDatasetsLibraryNamingRules) {
  // No split names: every data file is train; card, metadata and hidden files are not data.
  EXPECT_EQ(select({"README.md", ".gitattributes", "data.jsonl", "dataset_info.json", "logo.png"}), Paths{"data.jsonl"});
  // Split keywords in file names, delimited by separators or digits.
  const Paths named = {"my_train_file.json", "train1.jsonl", "constraint.jsonl", "dev.jsonl", "eval-0.jsonl"};
  EXPECT_EQ(select(named), (Paths{"my_train_file.json", "train1.jsonl"}));
  EXPECT_EQ(select(named, "validation"), Paths{"dev.jsonl"});
  EXPECT_EQ(select(named, "test"), Paths{"eval-0.jsonl"});
  // Split folders win over file names.
  const Paths dirs = {"data/train/a_test.jsonl", "data/train/b.jsonl", "data/test/c.jsonl"};
  EXPECT_EQ(select(dirs), (Paths{"data/train/a_test.jsonl", "data/train/b.jsonl"}));
  EXPECT_EQ(select(dirs, "test"), Paths{"data/test/c.jsonl"});
  // Sharded files name custom splits.
  const Paths shards = {"data/train-00000-of-00002.jsonl", "data/train-00001-of-00002.jsonl",
                        "data/random-00000-of-00001.jsonl"};
  EXPECT_EQ(select(shards, "random"), Paths{"data/random-00000-of-00001.jsonl"});
  EXPECT_EQ(select(shards).size(), 2u);
  // `folder` is the data_dir: names are matched below it.
  EXPECT_EQ(select({"en/train.jsonl", "zh/train.jsonl", "zh/test.jsonl"}, "train", "zh"), Paths{"zh/train.jsonl"});

  const std::string e = error_of([&] { select(named, "dev"); });
  EXPECT_TRUE(contains(e, "split \"dev\" not found")) << e;
  EXPECT_TRUE(contains(e, "test, train, validation")) << e;
  EXPECT_TRUE(contains(error_of([&] { select(named, "train", "nowhere"); }), "under \"nowhere\""));
  EXPECT_TRUE(contains(error_of([&] { select({"x.py", "x.jsonl"}); }), "loading script"));
}

TEST(HubDataset, SubsetsAreTheConfigsOfTheDatasetCard) {
  const std::string card = R"(---
license: mit
configs:
- config_name: en
  default: true
  data_files:
  - split: train
    path: "english/part-*.jsonl"
  - split: test
    path: english/eval.jsonl
- config_name: zh
  data_dir: chinese
  data_files: "*.json"
---
# card
)";
  const Paths files = {"english/part-0.jsonl", "english/part-1.jsonl", "english/eval.jsonl", "chinese/a.json",
                       "chinese/nested/b.json"};
  EXPECT_EQ(select(files, "train", "", "", card), (Paths{"english/part-0.jsonl", "english/part-1.jsonl"}));
  EXPECT_EQ(select(files, "test", "", "en", card), Paths{"english/eval.jsonl"});
  EXPECT_EQ(select(files, "train", "", "zh", card), Paths{"chinese/a.json"});  // `*` stays in its folder
  const std::string e = error_of([&] { select(files, "train", "", "fr", card); });
  EXPECT_TRUE(contains(e, "\"fr\" is not a config")) << e;
  EXPECT_TRUE(contains(e, "en, zh")) << e;
  EXPECT_TRUE(contains(error_of([&] { select(files, "train", "", "fr"); }), "declares no configs"));
  const std::string bad = "---\nconfigs:\n- config_name: x\n  data_files: \"[z-a].jsonl\"\n---\n";
  EXPECT_TRUE(contains(error_of([&] { select(files, "train", "", "", bad); }), "not a valid glob"));
}

TEST(HubDataset, UnsupportedFormatsSayWhatIsRead) {
  const std::string e = error_of([&] { select({"data/train-00000-of-00001.parquet", "README.md"}); });
  EXPECT_TRUE(contains(e, "1 .parquet")) << e;
  EXPECT_TRUE(contains(e, "only .json and .jsonl")) << e;
  EXPECT_TRUE(contains(e, "file_name")) << e;
  EXPECT_TRUE(contains(e, "hf_hub_url: org/x")) << e;
  EXPECT_TRUE(contains(error_of([&] { select({"train.csv", "test.jsonl"}); }), "1 .csv"));
}

using Env = std::map<std::string, std::string>;

struct EnvGuard {  // the environment the data path reads, restored afterwards
  explicit EnvGuard(const Env& set) {
    for (const char* name : {"HF_ENDPOINT", "HF_HUB_CACHE", "HF_HUB_OFFLINE", "HF_TOKEN", "USE_MODELSCOPE_HUB",
                             "USE_OPENMIND_HUB", "MODELSCOPE_DOMAIN", "MODELSCOPE_CACHE"}) {
      if (const char* v = std::getenv(name)) saved[name] = v;
      ::unsetenv(name);
    }
    for (const auto& [k, v] : set) ::setenv(k.c_str(), v.c_str(), 1);
  }
  ~EnvGuard() {
    for (const char* name : {"HF_ENDPOINT", "HF_HUB_CACHE", "HF_HUB_OFFLINE", "HF_TOKEN", "USE_MODELSCOPE_HUB",
                             "USE_OPENMIND_HUB", "MODELSCOPE_DOMAIN", "MODELSCOPE_CACHE"})
      ::unsetenv(name);
    for (const auto& [k, v] : saved) ::setenv(k.c_str(), v.c_str(), 1);
  }
  Env saved;
};

TEST(HubDataset, EncodesTheSameAsTheLocalCopy) {
  FakeDatasetHub hub;
  const fs::path dir = scratch();
  const fs::path cache = dir / "cache";
  EnvGuard env(Env{{"HF_ENDPOINT", hub.endpoint()}, {"HF_HUB_CACHE", cache.string()}});
  write_file_atomic(dir / "dataset_info.json", R"({
    "remote": {"hf_hub_url": "org/alpaca", "ms_hub_url": "org/elsewhere"},
    "local": {"file_name": "train.jsonl"}
  })");
  write_file_atomic(dir / "train.jsonl", hub.file("alpaca", "data/train.jsonl"));
  DataOptions o;
  o.dataset_dir = dir.string();
  testing::FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen3_nothink"), vocab);
  o.dataset = "local";
  const auto local = prepare_data(o, tmpl);
  o.dataset = "remote";
  const auto remote = prepare_data(o, tmpl);
  ASSERT_EQ(local.train.size(), 12u);
  ASSERT_EQ(remote.train.size(), local.train.size());
  for (size_t i = 0; i < local.train.size(); ++i) {
    EXPECT_EQ(remote.train[i].input_ids, local.train[i].input_ids) << i;
    EXPECT_EQ(remote.train[i].labels, local.train[i].labels) << i;
  }
  // huggingface_hub's cache layout; only the card and the train split were fetched.
  const fs::path repo = cache / "datasets--org--alpaca";
  EXPECT_EQ(read_file(repo / "refs" / "main"), kCommit);
  EXPECT_EQ(read_file(repo / "snapshots" / kCommit / "data" / "train.jsonl"), hub.file("alpaca", "data/train.jsonl"));
  auto served = hub.served();
  std::sort(served.begin(), served.end());
  EXPECT_EQ(served, (Paths{"README.md", "data/train.jsonl"}));
  // A second run downloads nothing; the test split comes on demand.
  o.dataset = "remote";
  prepare_data(o, tmpl);
  EXPECT_EQ(hub.served().size(), 2u);
}

TEST(HubDataset, ModelArgumentsGiveTheTokensAndTheCache) {
  FakeDatasetHub hub;
  const fs::path dir = scratch();
  // HF_TOKEN is a Hugging Face credential only: ModelScope never receives it.
  EnvGuard env(Env{{"HF_ENDPOINT", hub.endpoint()}, {"MODELSCOPE_DOMAIN", hub.endpoint()}, {"HF_TOKEN", "secret"}});
  DataOptions o;
  o.dataset_dir = dir.string();
  o.cache_dir = (dir / "cache").string();
  EXPECT_EQ(load_rows(hub_attr("org/gated"), o).size(), 12u);
  EXPECT_TRUE(fs::exists(dir / "cache" / "datasets--org--gated"));
  EXPECT_TRUE(contains(error_of([&] { load_rows(hub_attr("org/gated", Source::ms_hub), o); }), "org/gated"));
  o.ms_hub_token = "secret";
  EXPECT_EQ(load_rows(hub_attr("org/gated", Source::ms_hub), o).size(), 12u);
  // hf_hub_token wins over HF_TOKEN.
  o.hf_hub_token = "wrong";
  fs::remove_all(dir / "cache");
  EXPECT_TRUE(contains(error_of([&] { load_rows(hub_attr("org/gated"), o); }), "gated or private"));
}

TEST(HubDataset, MissingGatedAndOpenMindRepos) {
  FakeDatasetHub hub;
  const fs::path cache = scratch();
  hub::HubOptions o = options(hub, cache);
  const std::string e404 = error_of([&] { load_hub_rows(hub_attr("org/missing"), o); });
  EXPECT_TRUE(contains(e404, "org/missing")) << e404;
  EXPECT_TRUE(contains(e404, "404")) << e404;
  EXPECT_TRUE(contains(e404, "hf_hub_url")) << e404;
  const std::string e401 = error_of([&] { load_hub_rows(hub_attr("org/gated"), o); });
  EXPECT_TRUE(contains(e401, "gated or private")) << e401;
  EXPECT_TRUE(contains(e401, "HF_TOKEN")) << e401;
  o.token = "secret";
  EXPECT_EQ(load_hub_rows(hub_attr("org/gated"), o).size(), 12u);
  const std::string eom = error_of([&] { load_hub_rows(hub_attr("org/alpaca", Source::om_hub), o); });
  EXPECT_TRUE(contains(eom, "OpenMind")) << eom;
  EXPECT_TRUE(contains(eom, "not supported")) << eom;
  EXPECT_TRUE(contains(error_of([&] { load_hub_rows(hub_attr("alpaca"), o); }), "not a hub dataset id"));
}

TEST(HubDataset, ParquetOnlyRepoIsRefusedBeforeDownloading) {
  FakeDatasetHub hub;
  const fs::path cache = scratch();
  const std::string e = error_of([&] { load_hub_rows(hub_attr("org/parquet"), options(hub, cache)); });
  EXPECT_TRUE(contains(e, "2 .parquet")) << e;
  EXPECT_TRUE(contains(e, "only .json and .jsonl")) << e;
  EXPECT_TRUE(contains(e, "datasets.load_dataset(\"org/parquet\"")) << e;
  EXPECT_EQ(hub.served(), Paths{"README.md"});
}

TEST(HubDataset, OfflineAndUnreachableHubUseTheCache) {
  const fs::path cache = scratch();
  hub::HubOptions o;
  size_t online = 0;
  {
    FakeDatasetHub hub;
    o = options(hub, cache);
    o.offline = true;
    const std::string e = error_of([&] { load_hub_rows(hub_attr("org/alpaca"), o); });
    EXPECT_TRUE(contains(e, "HF_HUB_OFFLINE")) << e;
    EXPECT_TRUE(contains(e, "org/alpaca")) << e;
    EXPECT_TRUE(hub.served().empty());
    o.offline = false;
    online = load_hub_rows(hub_attr("org/alpaca"), o).size();
  }  // the server is gone: its port refuses connections
  EXPECT_EQ(online, 12u);
  o.offline = true;
  EXPECT_EQ(load_hub_rows(hub_attr("org/alpaca"), o).size(), online);
  DatasetAttr test_split = hub_attr("org/alpaca");
  test_split.split = "test";
  EXPECT_TRUE(contains(error_of([&] { load_hub_rows(test_split, o); }), "split \"test\" not found"));
  o.offline = false;
  EXPECT_EQ(load_hub_rows(hub_attr("org/alpaca"), o).size(), online);  // network error -> cache
  const std::string e = error_of([&] { load_hub_rows(hub_attr("org/other"), o); });
  EXPECT_TRUE(contains(e, "network error")) << e;
}

TEST(HubDataset, ModelScopeDatasets) {
  FakeDatasetHub hub;
  const fs::path cache = scratch();
  DatasetAttr a = hub_attr("org/alpaca", Source::ms_hub);
  a.split = "test";
  const auto rows = load_hub_rows(a, options(hub, cache));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["instruction"], "test question 0");
  EXPECT_EQ(hub.ms_revision(), "master");
  EXPECT_EQ(read_file(cache / "datasets" / "org" / "alpaca" / "data" / "test.jsonl"), hub.file("alpaca", "data/test.jsonl"));
  EXPECT_TRUE(contains(error_of([&] { load_hub_rows(hub_attr("org/missing", Source::ms_hub), options(hub, cache)); }),
                       "ms_hub_url"));
}

TEST(HubDataset, EnvironmentPicksTheHubUrl) {
  const std::string info = R"({"both": {"hf_hub_url": "a/hf", "ms_hub_url": "a/ms", "om_hub_url": "a/om"},
                               "ms_only": {"ms_hub_url": "a/ms"}, "om_only": {"om_hub_url": "a/om"}})";
  const Paths names = {"both", "ms_only", "om_only"};
  auto plain = parse_dataset_info(info, names, "x", HubChoice{});
  EXPECT_EQ(plain[0].source, Source::hf_hub);
  EXPECT_EQ(plain[0].location, "a/hf");
  EXPECT_EQ(plain[1].source, Source::ms_hub);
  EXPECT_EQ(plain[2].source, Source::om_hub);
  auto ms = parse_dataset_info(info, names, "x", HubChoice{true, false});
  EXPECT_EQ(ms[0].source, Source::ms_hub);
  EXPECT_EQ(ms[0].location, "a/ms");
  EXPECT_EQ(ms[0].source_key, "ms_hub_url");
  auto om = parse_dataset_info(info, names, "x", HubChoice{false, true});
  EXPECT_EQ(om[0].source, Source::om_hub);
  EnvGuard env(Env{{"USE_MODELSCOPE_HUB", "1"}});
  EXPECT_EQ(parse_dataset_info(info, {"both"}, "x")[0].source, Source::ms_hub);
}

}  // namespace
}  // namespace lf::data
