// Pieces shared by the two hub clients (hf_hub.cpp, modelscope_hub.cpp).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hub/hub.h"

namespace lf::hub::detail {

struct RemoteFile {
  std::string path;
  int64_t size = -1;    // -1: not reported
  std::string sha256;   // "": not reported
  std::string url;
};

// Throws the error a user can act on for a failed hub request.
[[noreturn]] void fail_status(const char* hub, long status, const std::string& repo,
                              const std::string& revision, const std::string& url,
                              RepoType type = RepoType::model);

// Downloads `files` into `dir` (skipping complete ones), each through
// `<file>.incomplete` so an interrupted run resumes, then verifies.
void download_files(const std::vector<RemoteFile>& files, const std::filesystem::path& dir,
                    const std::vector<std::string>& headers, const HubOptions& opt,
                    RepoType type = RepoType::model);

// A directory holding a loadable model: config.json plus its weights
// (model.safetensors, or an index whose shards are all present).
bool is_complete_model_dir(const std::filesystem::path& dir);

std::filesystem::path home_cache(const char* env_var, const char* default_under_home);

// One revision of a repo as a hub lists it: the commit (ModelScope: the
// revision) and every file, with its download URL.
struct Listing {
  std::string commit;
  std::vector<RemoteFile> files;
};

// Hugging Face: the cache root (cache_dir, HF_HUB_CACHE, $HF_HOME/hub), the
// repo's folder in it ({models,datasets}--org--name), the snapshot a
// revision points to there (empty when the cache has none), the revision
// API URL, and its answer parsed.
std::filesystem::path hf_cache_root(const HubOptions& opt);
std::filesystem::path hf_repo_dir(const std::filesystem::path& root, const std::string& repo, RepoType type);
std::filesystem::path hf_cached_snapshot(const std::filesystem::path& repo_dir, const std::string& revision);
std::string hf_api_url(const std::string& repo, RepoType type, const HubOptions& opt);
Listing hf_parse_listing(const std::string& body, const std::string& repo, RepoType type,
                         const HubOptions& opt, const std::string& api);
// Records that `revision` (a branch or tag) now points to `commit`.
void hf_write_ref(const std::filesystem::path& repo_dir, const std::string& revision, const std::string& commit);

// ModelScope: revision `main` is the hub's `master`, as LLaMA-Factory maps it;
// query-string encoding.
std::string ms_revision(const std::string& revision);
std::string url_encode(const std::string& s);

std::filesystem::path resolve_hf(const std::string& repo, const HubOptions& opt);
std::filesystem::path resolve_modelscope(const std::string& repo, const HubOptions& opt);

}  // namespace lf::hub::detail
