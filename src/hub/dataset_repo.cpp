#include "hub/dataset_repo.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>

#include "core/error.h"
#include "core/log.h"
#include "hub/http.h"

namespace lf::hub {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Files of a cached copy: what a previous run downloaded (partial downloads
// and the ModelScope cache's own bookkeeping left out).
std::vector<std::string> cached_files(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), dir).generic_string();
    if (rel.ends_with(".incomplete") || rel.starts_with("._")) continue;
    out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

using Getter = std::function<HttpResult(const std::string& url)>;

// ModelScope lists a dataset's tree a page at a time.
detail::Listing list_modelscope(const std::string& repo, const HubOptions& opt, const Getter& get) {
  constexpr int kPageSize = 500, kMaxPages = 1000;
  const std::string revision = detail::ms_revision(opt.revision);
  const std::string base = trim_slash(opt.ms_endpoint) + "/api/v1/datasets/" + repo + "/repo";
  detail::Listing out;
  out.commit = revision;
  for (int page = 1; page <= kMaxPages; ++page) {
    const std::string api = base + "/tree?Revision=" + detail::url_encode(revision) +
                            "&Root=&Recursive=True&PageNumber=" + std::to_string(page) +
                            "&PageSize=" + std::to_string(kPageSize);
    HttpResult res = get(api);
    if (res.status != 200) detail::fail_status("ModelScope", res.status, repo, revision, api, RepoType::dataset);
    json j = json::parse(res.body, nullptr, /*allow_exceptions=*/false);
    LF_CHECK(!j.is_discarded() && j.is_object() && j.contains("Data") && j["Data"].is_object() &&
                 j["Data"].contains("Files") && j["Data"]["Files"].is_array(),
             "ModelScope: unexpected answer from ", api);
    const json& files = j["Data"]["Files"];
    for (const json& f : files) {
      if (!f.is_object() || !f.contains("Path") || !f["Path"].is_string()) continue;
      if (f.contains("Type") && f["Type"] != "blob") continue;
      detail::RemoteFile r;
      r.path = f["Path"].get<std::string>();
      if (r.path.empty() || r.path.front() == '/' || r.path.find("..") != std::string::npos) continue;
      if (f.contains("Size") && f["Size"].is_number_integer()) r.size = f["Size"].get<int64_t>();
      if (f.contains("Sha256") && f["Sha256"].is_string()) r.sha256 = f["Sha256"].get<std::string>();
      r.url = base + "?Revision=" + detail::url_encode(revision) + "&FilePath=" + detail::url_encode(r.path);
      out.files.push_back(std::move(r));
    }
    if (static_cast<int>(files.size()) < kPageSize) break;
  }
  return out;
}

}  // namespace

DatasetRepo DatasetRepo::open(const std::string& repo, const HubOptions& opt) {
  DatasetRepo r;
  r.repo_ = repo;
  r.opt_ = opt;
  if (opt.token) r.headers_.push_back("Authorization: Bearer " + *opt.token);

  fs::path repo_dir, cached;
  std::string api;
  if (opt.modelscope) {
    const fs::path root = opt.cache_dir ? fs::path(*opt.cache_dir)
                                        : detail::home_cache("MODELSCOPE_CACHE", ".cache/modelscope") / "hub";
    repo_dir = root / "datasets" / repo;
    if (fs::is_directory(repo_dir)) cached = repo_dir;
  } else {
    repo_dir = detail::hf_repo_dir(detail::hf_cache_root(opt), repo, RepoType::dataset);
    cached = detail::hf_cached_snapshot(repo_dir, opt.revision);
    api = detail::hf_api_url(repo, RepoType::dataset, opt);
  }
  auto use_cache = [&] {
    r.dir_ = cached;
    r.paths_ = cached_files(cached);
    r.from_cache_ = true;
    return r;
  };
  if (opt.offline) {
    LF_CHECK(!cached.empty(), "HF_HUB_OFFLINE is set but dataset ", repo, " (revision '", opt.revision,
             "') is not in the cache ", repo_dir.string(),
             ": run once with network access, or download the data as .json/.jsonl into dataset_dir "
             "and use \"file_name\"");
    return use_cache();
  }

  // Only an unreachable hub falls back to the cache; refusals stand.
  bool unreachable = false;
  const Getter get = [&](const std::string& url) {
    try {
      return http_get(url, r.headers_);
    } catch (const Error&) {
      unreachable = true;
      throw;
    }
  };
  detail::Listing listing;
  try {
    if (opt.modelscope) {
      listing = list_modelscope(repo, opt, get);
    } else {
      HttpResult res = get(api);
      if (res.status != 200)
        detail::fail_status("Hugging Face hub", res.status, repo, opt.revision, api, RepoType::dataset);
      listing = detail::hf_parse_listing(res.body, repo, RepoType::dataset, opt, api);
    }
  } catch (const Error& e) {
    if (cached.empty() || !unreachable) throw;
    log::warn(e.what(), "; using the cached copy ", cached.string());
    return use_cache();
  }
  r.dir_ = opt.modelscope ? repo_dir : repo_dir / "snapshots" / listing.commit;
  if (!opt.modelscope) detail::hf_write_ref(repo_dir, opt.revision, listing.commit);
  for (const auto& f : listing.files) r.paths_.push_back(f.path);
  r.remote_ = std::move(listing.files);
  return r;
}

std::vector<fs::path> DatasetRepo::fetch(const std::vector<std::string>& paths) const {
  std::vector<fs::path> local;
  std::vector<detail::RemoteFile> wanted;
  for (const auto& p : paths) {
    local.push_back(dir_ / p);
    if (from_cache_) {
      LF_CHECK(fs::is_regular_file(local.back()), "dataset ", repo_, ": ", p, " is not in the cache ",
               dir_.string(), "; run once with network access");
      continue;
    }
    auto it = std::find_if(remote_.begin(), remote_.end(), [&](const detail::RemoteFile& f) { return f.path == p; });
    LF_CHECK(it != remote_.end(), "dataset ", repo_, " has no file ", p);
    const bool complete = fs::is_regular_file(local.back()) &&
                          (it->size < 0 || static_cast<int64_t>(fs::file_size(local.back())) == it->size);
    if (!complete) wanted.push_back(*it);
  }
  if (!wanted.empty()) {
    log::info("fetching ", wanted.size(), " file(s) of dataset ", repo_, " from ", hub_name(), " into ",
              dir_.string());
    detail::download_files(wanted, dir_, headers_, opt_, RepoType::dataset);
  }
  return local;
}

}  // namespace lf::hub
