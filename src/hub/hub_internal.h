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
                              const std::string& revision, const std::string& url);

// Downloads `files` into `dir` (skipping complete ones), each through
// `<file>.incomplete` so an interrupted run resumes, then verifies.
void download_files(const std::vector<RemoteFile>& files, const std::filesystem::path& dir,
                    const std::vector<std::string>& headers, const HubOptions& opt);

// A directory holding a loadable model: config.json plus its weights
// (model.safetensors, or an index whose shards are all present).
bool is_complete_model_dir(const std::filesystem::path& dir);

std::filesystem::path home_cache(const char* env_var, const char* default_under_home);

std::filesystem::path resolve_hf(const std::string& repo, const HubOptions& opt);
std::filesystem::path resolve_modelscope(const std::string& repo, const HubOptions& opt);

}  // namespace lf::hub::detail
