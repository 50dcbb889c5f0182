// The Hugging Face hub (and HF_ENDPOINT mirrors): file listing from
// /api/{models,datasets}/{repo}/revision/{rev}?blobs=true, files from
// /{repo}/resolve/{commit}/{file} (datasets: /datasets/{repo}/resolve/...),
// cached as huggingface_hub does: {root}/{models,datasets}--{org}--{name}/
// refs/{rev} -> commit, snapshots/{commit}/{file}.
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

const char* plural(RepoType type) { return type == RepoType::dataset ? "datasets" : "models"; }

}  // namespace

fs::path hf_cache_root(const HubOptions& o) {
  if (o.cache_dir) return *o.cache_dir;
  if (const char* c = std::getenv("HF_HUB_CACHE"); c && *c) return c;
  return home_cache("HF_HOME", ".cache/huggingface") / "hub";
}

fs::path hf_repo_dir(const fs::path& root, const std::string& repo, RepoType type) {
  std::string folder = std::string(plural(type)) + "--" + repo;
  folder.replace(folder.find('/'), 1, "--");
  return root / folder;
}

fs::path hf_cached_snapshot(const fs::path& repo_dir, const std::string& revision) {
  std::string commit = revision;
  if (!is_commit(revision)) {
    std::ifstream ref(repo_dir / "refs" / revision);
    if (!(ref >> commit)) return {};
  }
  fs::path dir = repo_dir / "snapshots" / commit;
  return fs::is_directory(dir) ? dir : fs::path();
}

std::string hf_api_url(const std::string& repo, RepoType type, const HubOptions& opt) {
  return trim_slash(opt.hf_endpoint) + "/api/" + plural(type) + "/" + repo + "/revision/" +
         encode_revision(opt.revision) + "?blobs=true";
}

Listing hf_parse_listing(const std::string& body, const std::string& repo, RepoType type,
                         const HubOptions& opt, const std::string& api) {
  json info = json::parse(body, nullptr, /*allow_exceptions=*/false);
  LF_CHECK(!info.is_discarded() && info.is_object() && info.contains("sha") &&
               info["sha"].is_string() && info.contains("siblings") && info["siblings"].is_array(),
           kHub, ": unexpected answer from ", api, " (is HF_ENDPOINT a hub mirror?)");
  Listing out;
  out.commit = info["sha"].get<std::string>();
  LF_CHECK(!out.commit.empty() && out.commit.find('/') == std::string::npos &&
               out.commit.find("..") == std::string::npos,
           kHub, ": bad commit id from ", api);
  // Dataset files resolve under /datasets/{repo}, model files under /{repo}.
  const std::string base = trim_slash(opt.hf_endpoint) + (type == RepoType::dataset ? "/datasets/" : "/") +
                           repo + "/resolve/" + out.commit + "/";
  for (const json& s : info["siblings"]) {
    if (!s.is_object() || !s.contains("rfilename") || !s["rfilename"].is_string()) continue;
    RemoteFile f;
    f.path = s["rfilename"].get<std::string>();
    if (f.path.empty() || f.path.front() == '/' || f.path.find("..") != std::string::npos) continue;
    if (s.contains("size") && s["size"].is_number_integer()) f.size = s["size"].get<int64_t>();
    if (s.contains("lfs") && s["lfs"].is_object()) {
      const json& lfs = s["lfs"];
      if (lfs.contains("sha256") && lfs["sha256"].is_string()) f.sha256 = lfs["sha256"];
      if (lfs.contains("size") && lfs["size"].is_number_integer()) f.size = lfs["size"].get<int64_t>();
    }
    f.url = base + f.path;
    out.files.push_back(std::move(f));
  }
  return out;
}

void hf_write_ref(const fs::path& repo_dir, const std::string& revision, const std::string& commit) {
  if (is_commit(revision)) return;
  fs::create_directories((repo_dir / "refs" / revision).parent_path());
  write_file_atomic(repo_dir / "refs" / revision, commit);
}

fs::path resolve_hf(const std::string& repo, const HubOptions& opt) {
  const fs::path root = hf_cache_root(opt);
  const fs::path repo_dir = hf_repo_dir(root, repo, RepoType::model);
  std::optional<fs::path> cached;
  if (fs::path snap = hf_cached_snapshot(repo_dir, opt.revision); !snap.empty() && is_complete_model_dir(snap))
    cached = snap;
  if (opt.offline) {
    LF_CHECK(cached, "HF_HUB_OFFLINE is set but ", repo, " (revision '", opt.revision,
             "') is not complete in the cache ", root.string(),
             ": download it once with network access, or point model_name_or_path at a local "
             "directory");
    return *cached;
  }

  std::vector<std::string> headers;
  if (opt.token) headers.push_back("Authorization: Bearer " + *opt.token);
  const std::string api = hf_api_url(repo, RepoType::model, opt);
  HttpResult res;
  try {
    res = http_get(api, headers);
  } catch (const Error& e) {
    if (!cached) throw;
    log::warn(e.what(), "; using the cached snapshot ", cached->string());
    return *cached;
  }
  if (res.status != 200) fail_status(kHub, res.status, repo, opt.revision, api);

  Listing listing = hf_parse_listing(res.body, repo, RepoType::model, opt, api);
  std::vector<RemoteFile> files;
  for (RemoteFile& f : listing.files)
    if (is_needed_file(f.path)) files.push_back(std::move(f));
  LF_CHECK(std::any_of(files.begin(), files.end(), [](const RemoteFile& f) { return f.path == "config.json"; }),
           kHub, ": ", repo, " has no config.json, so it is not a transformers model");

  const fs::path snapshot = repo_dir / "snapshots" / listing.commit;
  log::info("downloading ", repo, " (", listing.commit.substr(0, 12), ") from ", trim_slash(opt.hf_endpoint),
            " to ", snapshot.string());
  download_files(files, snapshot, headers, opt);
  hf_write_ref(repo_dir, opt.revision, listing.commit);
  LF_CHECK(is_complete_model_dir(snapshot), kHub, ": ", repo,
           " has no safetensors weights (model.safetensors or model.safetensors.index.json); "
           "only safetensors checkpoints are supported");
  return snapshot;
}

}  // namespace lf::hub::detail
