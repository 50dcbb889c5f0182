// The Hugging Face hub (and HF_ENDPOINT mirrors): file listing from
// /api/models/{repo}/revision/{rev}?blobs=true, files from
// /{repo}/resolve/{commit}/{file}, cached as huggingface_hub does:
// {root}/models--{org}--{name}/refs/{rev} -> commit, snapshots/{commit}/{file}.
// Files are stored in the snapshot directly (huggingface_hub's layout where
// symlinks are unavailable), which transformers reads the same way.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/log.h"
#include "hub/http.h"
#include "hub/hub_internal.h"

namespace lf::hub::detail {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kHub = "Hugging Face hub";

fs::path cache_root(const HubOptions& o) {
  if (o.cache_dir) return *o.cache_dir;
  if (const char* c = std::getenv("HF_HUB_CACHE"); c && *c) return c;
  return home_cache("HF_HOME", ".cache/huggingface") / "hub";
}

bool is_commit(const std::string& rev) {
  return rev.size() == 40 && rev.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::string encode_revision(const std::string& rev) {  // "refs/pr/1" -> "refs%2Fpr%2F1"
  std::string out;
  for (char c : rev) out += c == '/' ? std::string("%2F") : std::string(1, c);
  return out;
}

// The snapshot a revision points to in the cache, when it is complete.
std::optional<fs::path> cached_snapshot(const fs::path& repo_dir, const std::string& revision) {
  std::string commit = revision;
  if (!is_commit(revision)) {
    std::ifstream ref(repo_dir / "refs" / revision);
    if (!(ref >> commit)) return std::nullopt;
  }
  fs::path dir = repo_dir / "snapshots" / commit;
  if (!is_complete_model_dir(dir)) return std::nullopt;
  return dir;
}

}  // namespace

fs::path resolve_hf(const std::string& repo, const HubOptions& opt) {
  const fs::path root = cache_root(opt);
  std::string folder = "models--" + repo;
  folder.replace(folder.find('/'), 1, "--");
  const fs::path repo_dir = root / folder;
  auto cached = cached_snapshot(repo_dir, opt.revision);
  if (opt.offline) {
    LF_CHECK(cached, "HF_HUB_OFFLINE is set but ", repo, " (revision '", opt.revision,
             "') is not complete in the cache ", root.string(),
             ": download it once with network access, or point model_name_or_path at a local "
             "directory");
    return *cached;
  }

  const std::string endpoint = trim_slash(opt.hf_endpoint);
  std::vector<std::string> headers;
  if (opt.token) headers.push_back("Authorization: Bearer " + *opt.token);
  const std::string api =
      endpoint + "/api/models/" + repo + "/revision/" + encode_revision(opt.revision) + "?blobs=true";
  HttpResult res;
  try {
    res = http_get(api, headers);
  } catch (const Error& e) {
    if (!cached) throw;
    log::warn(e.what(), "; using the cached snapshot ", cached->string());
    return *cached;
  }
  if (res.status != 200) fail_status(kHub, res.status, repo, opt.revision, api);

  json info = json::parse(res.body, nullptr, /*allow_exceptions=*/false);
  LF_CHECK(!info.is_discarded() && info.is_object() && info.contains("sha") &&
               info["sha"].is_string() && info.contains("siblings") && info["siblings"].is_array(),
           kHub, ": unexpected answer from ", api, " (is HF_ENDPOINT a hub mirror?)");
  const std::string commit = info["sha"].get<std::string>();
  LF_CHECK(!commit.empty() && commit.find('/') == std::string::npos && commit.find("..") == std::string::npos,
           kHub, ": bad commit id from ", api);
  std::vector<RemoteFile> files;
  for (const json& s : info["siblings"]) {
    if (!s.is_object() || !s.contains("rfilename") || !s["rfilename"].is_string()) continue;
    RemoteFile f;
    f.path = s["rfilename"].get<std::string>();
    if (!is_needed_file(f.path)) continue;
    if (s.contains("size") && s["size"].is_number_integer()) f.size = s["size"].get<int64_t>();
    if (s.contains("lfs") && s["lfs"].is_object()) {
      const json& lfs = s["lfs"];
      if (lfs.contains("sha256") && lfs["sha256"].is_string()) f.sha256 = lfs["sha256"];
      if (lfs.contains("size") && lfs["size"].is_number_integer()) f.size = lfs["size"].get<int64_t>();
    }
    f.url = endpoint + "/" + repo + "/resolve/" + commit + "/" + f.path;
    files.push_back(std::move(f));
  }
  LF_CHECK(std::any_of(files.begin(), files.end(), [](const RemoteFile& f) { return f.path == "config.json"; }),
           kHub, ": ", repo, " has no config.json, so it is not a transformers model");

  const fs::path snapshot = repo_dir / "snapshots" / commit;
  log::info("downloading ", repo, " (", commit.substr(0, 12), ") from ", endpoint, " to ",
            snapshot.string());
  download_files(files, snapshot, headers, opt);
  if (!is_commit(opt.revision)) {
    fs::create_directories((repo_dir / "refs" / opt.revision).parent_path());
    write_file_atomic(repo_dir / "refs" / opt.revision, commit);
  }
  LF_CHECK(is_complete_model_dir(snapshot), kHub, ": ", repo,
           " has no safetensors weights (model.safetensors or model.safetensors.index.json); "
           "only safetensors checkpoints are supported");
  return snapshot;
}

}  // namespace lf::hub::detail
