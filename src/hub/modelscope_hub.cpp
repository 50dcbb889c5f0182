// ModelScope (USE_MODELSCOPE_HUB=1): file listing from
// /api/v1/models/{org}/{name}/repo/files, files from
// /api/v1/models/{org}/{name}/repo?Revision=..&FilePath=.., cached in
// {MODELSCOPE_CACHE or ~/.cache/modelscope}/hub/{org}/{name}/ as the
// modelscope library's snapshot_download does.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "core/log.h"
#include "hub/http.h"
#include "hub/hub_internal.h"

namespace lf::hub::detail {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kHub = "ModelScope";

}  // namespace

std::string ms_revision(const std::string& revision) { return revision == "main" ? "master" : revision; }

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

fs::path resolve_modelscope(const std::string& repo, const HubOptions& opt) {
  const fs::path root = opt.cache_dir ? fs::path(*opt.cache_dir)
                                      : home_cache("MODELSCOPE_CACHE", ".cache/modelscope") / "hub";
  const fs::path dir = root / repo;
  const std::string revision = ms_revision(opt.revision);
  const bool cached = is_complete_model_dir(dir);
  if (opt.offline) {
    LF_CHECK(cached, "HF_HUB_OFFLINE is set but ", repo, " is not complete in the ModelScope cache ",
             root.string(), ": download it once with network access");
    return dir;
  }

  std::string endpoint = opt.ms_endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  const std::string base = endpoint + "/api/v1/models/" + repo + "/repo";
  std::vector<std::string> headers;
  if (opt.token) headers.push_back("Authorization: Bearer " + *opt.token);
  const std::string api = base + "/files?Revision=" + url_encode(revision) + "&Recursive=true";
  HttpResult res;
  try {
    res = http_get(api, headers);
  } catch (const Error& e) {
    if (!cached) throw;
    log::warn(e.what(), "; using the cached copy ", dir.string());
    return dir;
  }
  if (res.status != 200) fail_status(kHub, res.status, repo, revision, api);
  json j = json::parse(res.body, nullptr, /*allow_exceptions=*/false);
  LF_CHECK(!j.is_discarded() && j.is_object() && j.contains("Data") && j["Data"].is_object() &&
               j["Data"].contains("Files") && j["Data"]["Files"].is_array(),
           kHub, ": unexpected answer from ", api);

  std::vector<RemoteFile> files;
  for (const json& f : j["Data"]["Files"]) {
    if (!f.is_object() || !f.contains("Path") || !f["Path"].is_string()) continue;
    if (f.contains("Type") && f["Type"] != "blob") continue;
    RemoteFile r;
    r.path = f["Path"].get<std::string>();
    if (!is_needed_file(r.path)) continue;
    if (f.contains("Size") && f["Size"].is_number_integer()) r.size = f["Size"].get<int64_t>();
    if (f.contains("Sha256") && f["Sha256"].is_string()) r.sha256 = f["Sha256"].get<std::string>();
    r.url = base + "?Revision=" + url_encode(revision) + "&FilePath=" + url_encode(r.path);
    files.push_back(std::move(r));
  }
  LF_CHECK(std::any_of(files.begin(), files.end(), [](const RemoteFile& f) { return f.path == "config.json"; }),
           kHub, ": ", repo, " has no config.json, so it is not a transformers model");
  log::info("downloading ", repo, " (", revision, ") from ", endpoint, " to ", dir.string());
  download_files(files, dir, headers, opt);
  LF_CHECK(is_complete_model_dir(dir), kHub, ": ", repo,
           " has no safetensors weights; only safetensors checkpoints are supported");
  return dir;
}

}  // namespace lf::hub::detail
