// Dataset repositories on the hubs, for dataset_info.json's hf_hub_url /
// ms_hub_url entries: the repo's file list, and the files the data loader
// picks from it downloaded into the hub's cache —
//   Hugging Face: {HF cache}/datasets--org--name/snapshots/{commit}/{path}
//   ModelScope:   {MODELSCOPE_CACHE}/hub/datasets/org/name/{path}
// Offline (HF_HUB_OFFLINE), or when the hub cannot be reached and the cache
// has the repo, the list is what the cache holds.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "hub/hub.h"
#include "hub/hub_internal.h"

namespace lf::hub {

class DatasetRepo {
 public:
  // `opt.modelscope` picks the hub. Throws lf::Error for a missing (404) or
  // gated (401/403) repo, and offline when the cache has nothing.
  static DatasetRepo open(const std::string& repo, const HubOptions& opt);

  const char* hub_name() const { return opt_.modelscope ? "ModelScope" : "the Hugging Face hub"; }
  // Every file path of the revision ('/'-separated, relative to the repo root).
  const std::vector<std::string>& files() const { return paths_; }
  // The list is the cache's (offline, or the hub unreachable).
  bool from_cache() const { return from_cache_; }

  // Local copies of `paths` (each one of files()), downloading what the
  // cache lacks; sizes and SHA-256 are checked as for models.
  std::vector<std::filesystem::path> fetch(const std::vector<std::string>& paths) const;

 private:
  std::string repo_;
  HubOptions opt_;
  std::filesystem::path dir_;                 // where the files live locally
  std::vector<detail::RemoteFile> remote_;    // empty when reading the cache only
  std::vector<std::string> headers_;
  std::vector<std::string> paths_;
  bool from_cache_ = false;
};

}  // namespace lf::hub
