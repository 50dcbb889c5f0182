// Hub downloads against a loopback server that speaks both hubs' file APIs.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "core/atomic_file.h"
#include "core/error.h"
#include "hub/hub.h"
#include "hub/sha256.h"
#include "models/model_source.h"
#include "test_dir.h"

namespace fs = std::filesystem;
using lf::hub::HubOptions;
using lf::hub::resolve_model;

namespace {

const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";

// Serves repo org/tiny (and org/gated, which needs "Bearer secret") in the
// Hugging Face and ModelScope layouts, recording what was asked for.
class FakeHubs {
 public:
  FakeHubs() {
    std::string weights(300000, '\0');
    for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<char>(i * 7 + i / 251);
    files_ = {{"config.json", R"({"architectures": ["LlamaForCausalLM"]})"},
              {"model.safetensors", weights},
              {"tokenizer.json", R"({"model": {"vocab": {}}})"},
              {"README.md", "# tiny"},
              {"pytorch_model.bin", "pickle"},
              {"consolidated.safetensors", "a second copy of the weights"},
              {"original/consolidated.00.pth", "pickle"}};
    server_.Get(R"(/api/models/org/([a-z]+)/revision/([^/?]+))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  if (!allowed(req, res)) return;
                  nlohmann::json sib = nlohmann::json::array();
                  for (const auto& [name, body] : files_) {
                    nlohmann::json s = {{"rfilename", name}, {"size", body.size()}};
                    if (name.ends_with(".safetensors"))
                      s["lfs"] = {{"sha256", listed_sha(name, body)}, {"size", body.size()}};
                    sib.push_back(s);
                  }
                  res.set_content(nlohmann::json{{"sha", kCommit}, {"siblings", sib}}.dump(),
                                  "application/json");
                });
    server_.Get(R"(/org/([a-z]+)/resolve/([0-9a-f]+)/(.+))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  if (allowed(req, res)) serve(req.matches[3], req, res);
                });
    server_.Get(R"(/api/v1/models/org/([a-z]+)/repo/files)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  if (!allowed(req, res)) return;
                  ms_revision_ = req.get_param_value("Revision");
                  nlohmann::json list = nlohmann::json::array();
                  for (const auto& [name, body] : files_)
                    list.push_back({{"Path", name}, {"Type", "blob"}, {"Size", body.size()},
                                    {"Sha256", listed_sha(name, body)}});
                  res.set_content(nlohmann::json{{"Code", 200}, {"Data", {{"Files", list}}}}.dump(),
                                  "application/json");
                });
    server_.Get(R"(/api/v1/models/org/([a-z]+)/repo)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  if (allowed(req, res)) serve(req.get_param_value("FilePath"), req, res);
                });
    // Bound before the accept loop starts: early connections wait in the backlog.
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeHubs() {
    server_.stop();
    thread_.join();
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& file(const std::string& name) { return files_.at(name); }
  std::vector<std::string> served() {
    std::lock_guard<std::mutex> lock(mu_);
    return served_;
  }
  int range_requests() const { return ranges_; }
  std::string ms_revision() const { return ms_revision_; }
  std::string bad_sha_for;  // report a wrong hash for this file

 private:
  static std::string sha(const std::string& body) {
    lf::hub::Sha256 h;
    h.update(body.data(), body.size());
    return h.hex_digest();
  }
  std::string listed_sha(const std::string& name, const std::string& body) const {
    return name == bad_sha_for ? std::string(64, '0') : sha(body);
  }
  bool allowed(const httplib::Request& req, httplib::Response& res) {
    const std::string repo = req.matches[1];
    if (repo == "missing") {
      res.status = 404;
      return false;
    }
    if (repo == "gated" && req.get_header_value("Authorization") != "Bearer secret") {
      res.status = 401;
      return false;
    }
    return true;
  }
  void serve(const std::string& name, const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      served_.push_back(name);
    }
    if (req.has_header("Range")) ++ranges_;
    auto it = files_.find(name);
    if (it == files_.end()) {
      res.status = 404;
      return;
    }
    res.set_content(it->second, "application/octet-stream");  // httplib answers Range with 206
  }

  std::map<std::string, std::string> files_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<std::string> served_;
  std::atomic<int> ranges_{0};
  std::string ms_revision_;
};

HubOptions options(const FakeHubs& hubs, const fs::path& cache) {
  HubOptions o;
  o.hf_endpoint = hubs.endpoint();
  o.ms_endpoint = hubs.endpoint();
  o.cache_dir = cache.string();
  o.progress = false;
  return o;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const lf::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

}  // namespace

TEST(Hub, Sha256KnownAnswers) {
  auto digest = [](const std::string& s) {
    lf::hub::Sha256 h;
    h.update(s.data(), s.size());
    return h.hex_digest();
  };
  EXPECT_EQ(digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(digest(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Hub, HfDownloadsOnlyModelFilesIntoTheStandardCache) {
  FakeHubs hubs;
  TestDir cache("hub_hf");
  fs::path dir = resolve_model("org/tiny", options(hubs, cache.path()));
  const fs::path repo = cache.path() / "models--org--tiny";
  EXPECT_EQ(dir, repo / "snapshots" / kCommit);
  EXPECT_EQ(lf::read_file(repo / "refs" / "main"), kCommit);
  EXPECT_EQ(lf::read_file(dir / "model.safetensors"), hubs.file("model.safetensors"));
  EXPECT_EQ(lf::read_file(dir / "config.json"), hubs.file("config.json"));
  EXPECT_TRUE(fs::exists(dir / "tokenizer.json"));
  auto served = hubs.served();
  std::sort(served.begin(), served.end());
  EXPECT_EQ(served, (std::vector<std::string>{"config.json", "model.safetensors", "tokenizer.json"}));

  // A second run finds every file complete and downloads nothing.
  EXPECT_EQ(resolve_model("org/tiny", options(hubs, cache.path())), dir);
  EXPECT_EQ(hubs.served().size(), 3u);
}

TEST(Hub, PartialFilesResume) {
  FakeHubs hubs;
  TestDir cache("hub_resume");
  const fs::path snap = cache.path() / "models--org--tiny" / "snapshots" / kCommit;
  fs::create_directories(snap);
  const std::string& full = hubs.file("model.safetensors");
  lf::write_file_atomic(snap / "model.safetensors.incomplete", full.substr(0, 123456));
  fs::path dir = resolve_model("org/tiny", options(hubs, cache.path()));
  EXPECT_EQ(hubs.range_requests(), 1);
  EXPECT_EQ(lf::read_file(dir / "model.safetensors"), full);
  EXPECT_FALSE(fs::exists(snap / "model.safetensors.incomplete"));

  // Proof that only the tail was fetched: a partial file with wrong bytes
  // resumes into a file of the right size but the wrong hash, which the
  // SHA-256 check refuses (a full re-download would have succeeded).
  fs::remove(snap / "model.safetensors");
  lf::write_file_atomic(snap / "model.safetensors.incomplete", std::string(1000, 'X'));
  std::string e = error_of([&] { resolve_model("org/tiny", options(hubs, cache.path())); });
  EXPECT_NE(e.find("SHA-256"), std::string::npos) << e;
  EXPECT_EQ(hubs.range_requests(), 2);
}

TEST(Hub, CorruptDownloadsAreRefusedAndRemoved) {
  FakeHubs hubs;
  hubs.bad_sha_for = "model.safetensors";
  TestDir cache("hub_corrupt");
  std::string e = error_of([&] { resolve_model("org/tiny", options(hubs, cache.path())); });
  EXPECT_NE(e.find("SHA-256"), std::string::npos) << e;
  const fs::path snap = cache.path() / "models--org--tiny" / "snapshots" / kCommit;
  EXPECT_FALSE(fs::exists(snap / "model.safetensors"));
  EXPECT_FALSE(fs::exists(snap / "model.safetensors.incomplete"));
}

TEST(Hub, NotFoundGatedAndTokens) {
  FakeHubs hubs;
  TestDir cache("hub_errors");
  HubOptions o = options(hubs, cache.path());
  std::string e404 = error_of([&] { resolve_model("org/missing", o); });
  EXPECT_NE(e404.find("org/missing"), std::string::npos) << e404;
  EXPECT_NE(e404.find("404"), std::string::npos) << e404;
  std::string e401 = error_of([&] { resolve_model("org/gated", o); });
  EXPECT_NE(e401.find("hf_hub_token"), std::string::npos) << e401;
  o.token = "secret";
  EXPECT_TRUE(fs::exists(resolve_model("org/gated", o) / "config.json"));
  EXPECT_NE(error_of([&] { resolve_model("not a repo", o); }).find("neither a local directory"),
            std::string::npos);
  EXPECT_EQ(resolve_model(cache.path().string(), o), cache.path());  // local dirs as they are
}

TEST(Hub, OfflineAndNetworkFailuresUseACompleteCache) {
  TestDir cache("hub_offline");
  HubOptions o;
  {
    FakeHubs hubs;
    o = options(hubs, cache.path());
    resolve_model("org/tiny", o);
  }  // the server is gone now: its port refuses connections
  const fs::path snap = cache.path() / "models--org--tiny" / "snapshots" / kCommit;
  EXPECT_EQ(resolve_model("org/tiny", o), snap);  // network error -> cached snapshot
  o.offline = true;
  EXPECT_EQ(resolve_model("org/tiny", o), snap);
  std::string e = error_of([&] { resolve_model("org/other", o); });
  EXPECT_NE(e.find("HF_HUB_OFFLINE"), std::string::npos) << e;
  o.offline = false;
  e = error_of([&] { resolve_model("org/other", o); });
  EXPECT_NE(e.find("network error"), std::string::npos) << e;
}

TEST(Hub, ModelScopeLayoutAndDefaultBranch) {
  FakeHubs hubs;
  TestDir cache("hub_ms");
  HubOptions o = options(hubs, cache.path());
  o.modelscope = true;
  fs::path dir = resolve_model("org/tiny", o);
  EXPECT_EQ(dir, cache.path() / "org" / "tiny");
  EXPECT_EQ(hubs.ms_revision(), "master");
  EXPECT_EQ(lf::read_file(dir / "model.safetensors"), hubs.file("model.safetensors"));
  EXPECT_FALSE(fs::exists(dir / "README.md"));
}

TEST(Hub, ModelArgumentsChooseRevisionCacheAndToken) {
  FakeHubs hubs;
  TestDir cache("hub_args");
  ::setenv("HF_ENDPOINT", hubs.endpoint().c_str(), 1);
  ::unsetenv("HF_HUB_OFFLINE");
  ::unsetenv("USE_MODELSCOPE_HUB");
  lf::hparams::ModelArguments args;
  args.model_name_or_path = "org/gated";
  args.cache_dir = cache.path().string();
  args.hf_hub_token = "secret";
  args.model_revision = kCommit;  // a commit id: no refs/ entry is written
  fs::path dir = lf::models::locate_model(args);
  EXPECT_EQ(dir, cache.path() / "models--org--gated" / "snapshots" / kCommit);
  EXPECT_FALSE(fs::exists(cache.path() / "models--org--gated" / "refs"));
  ::unsetenv("HF_ENDPOINT");
}
