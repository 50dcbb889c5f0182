// resolve_model, options from the environment, and the shared download loop.
#include "hub/hub.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>

#include "core/error.h"
#include "core/log.h"
#include "core/progress.h"
#include "hub/http.h"
#include "hub/hub_internal.h"
#include "hub/sha256.h"

namespace lf::hub {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

// huggingface_hub's rule for its boolean variables (constants._is_true).
bool env_true(const char* name) {
  auto v = env(name);
  if (!v) return false;
  std::string s = *v;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s == "1" || s == "ON" || s == "YES" || s == "TRUE";
}

// LLaMA-Factory's rule for its own flags (is_env_enabled): true, y, 1.
bool env_enabled(const char* name) {
  auto v = env(name);
  if (!v) return false;
  std::string s = *v;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s == "true" || s == "y" || s == "1";
}

bool looks_like_repo_id(const std::string& s) {
  auto slash = s.find('/');
  return slash != std::string::npos && slash > 0 && slash + 1 < s.size() &&
         s.find('/', slash + 1) == std::string::npos && s.find("..") == std::string::npos &&
         s.front() != '.' && s.find(' ') == std::string::npos;
}

}  // namespace

HubOptions HubOptions::from_env() {
  HubOptions o;
  if (auto e = env("HF_ENDPOINT")) o.hf_endpoint = *e;
  if (auto d = env("MODELSCOPE_DOMAIN"))
    o.ms_endpoint = d->find("://") == std::string::npos ? "https://" + *d : *d;
  o.token = env("HF_TOKEN");
  o.offline = env_true("HF_HUB_OFFLINE");
  o.modelscope = env_enabled("USE_MODELSCOPE_HUB");
  return o;
}

bool is_needed_file(const std::string& path) {
  if (path.find('/') != std::string::npos) return false;  // subfolders: originals, other formats
  // Weights are model.safetensors or its model-0000i-of-0000N shards; other
  // top-level safetensors (Mistral's consolidated.safetensors, adapters)
  // would only double the download.
  if (path.ends_with(".safetensors")) return path.starts_with("model");
  return path.ends_with(".json") || path == "tokenizer.model" || path.ends_with(".jinja");
}

fs::path resolve_model(const std::string& name_or_path, const HubOptions& opt) {
  if (fs::is_directory(name_or_path)) return name_or_path;
  LF_CHECK(looks_like_repo_id(name_or_path), "model_name_or_path '", name_or_path,
           "' is neither a local directory nor a hub id like 'Qwen/Qwen2.5-0.5B-Instruct'");
  return opt.modelscope ? detail::resolve_modelscope(name_or_path, opt)
                        : detail::resolve_hf(name_or_path, opt);
}

namespace detail {

void fail_status(const char* hub, long status, const std::string& repo,
                 const std::string& revision, const std::string& url, RepoType type) {
  if (type == RepoType::dataset) {
    if (status == 401 || status == 403)
      fail(hub, ": access to dataset ", repo, " was refused (HTTP ", status,
           "): the dataset is gated or private; accept its terms on the hub and give a token "
           "in HF_TOKEN");
    if (status == 404)
      fail(hub, ": dataset ", repo, " at revision '", revision, "' was not found (HTTP 404, ", url,
           "): check hf_hub_url / ms_hub_url in dataset_info.json");
  }
  if (status == 401 || status == 403)
    fail(hub, ": access to ", repo, " was refused (HTTP ", status,
         "): the model is gated or private; accept its license on the hub and give a token "
         "(HF_TOKEN or hf_hub_token; ms_hub_token for ModelScope)");
  if (status == 404)
    fail(hub, ": ", repo, " at revision '", revision, "' was not found (HTTP 404, ", url,
         "): check model_name_or_path and model_revision");
  fail(hub, ": HTTP ", status, " fetching ", url);
}

fs::path home_cache(const char* env_var, const char* default_under_home) {
  if (const char* v = std::getenv(env_var); v && *v) return v;
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : ".") / default_under_home;
}

bool is_complete_model_dir(const fs::path& dir) {
  if (!fs::is_regular_file(dir / "config.json")) return false;
  if (fs::is_regular_file(dir / "model.safetensors")) return true;
  const fs::path index = dir / "model.safetensors.index.json";
  if (!fs::is_regular_file(index)) return false;
  std::ifstream in(index);
  auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.contains("weight_map") || !j["weight_map"].is_object()) return false;
  for (const auto& [tensor, shard] : j["weight_map"].items())
    if (!shard.is_string() || !fs::is_regular_file(dir / shard.get<std::string>())) return false;
  return true;
}

void download_files(const std::vector<RemoteFile>& files, const fs::path& dir,
                    const std::vector<std::string>& headers, const HubOptions& opt, RepoType type) {
  fs::create_directories(dir);
  for (const RemoteFile& f : files) {
    const fs::path target = dir / f.path;
    fs::create_directories(target.parent_path());  // dataset files sit in subfolders
    if (fs::is_regular_file(target) &&
        (f.size < 0 || static_cast<int64_t>(fs::file_size(target)) == f.size))
      continue;
    fs::path partial = target;
    partial += ".incomplete";
    std::unique_ptr<ProgressBar> bar;
    if (opt.progress) bar = std::make_unique<ProgressBar>(f.path, std::max<int64_t>(f.size, 0), "B");
    long status = http_download(f.url, headers, partial, [&](int64_t n) {
      if (bar) bar->update(n);
    });
    if (bar) bar->finish();
    if (status != 200 && status != 206) {
      fail_status("download", status, f.path, opt.revision, f.url, type);
    }
    const int64_t got = static_cast<int64_t>(fs::file_size(partial));
    if (f.size >= 0 && got != f.size) {
      fs::remove(partial);
      fail("download of ", f.url, " has ", got, " bytes, the hub says ", f.size,
           "; the partial file was removed, run again");
    }
    if (!f.sha256.empty()) {
      std::string sum = sha256_file(partial);
      if (sum != f.sha256) {
        fs::remove(partial);
        fail("download of ", f.url, " is corrupt: SHA-256 ", sum, " but the hub says ", f.sha256,
             "; the file was removed, run again");
      }
    }
    fs::rename(partial, target);
  }
}

}  // namespace detail
}  // namespace lf::hub
