// Models by hub id: `model_name_or_path: Qwen/Qwen2.5-0.5B-Instruct` resolves to
// a local directory, downloading from the Hugging Face hub (or a mirror via
// HF_ENDPOINT) or from ModelScope (USE_MODELSCOPE_HUB=1) into the standard
// cache layouts, as LLaMA-Factory's from_pretrained / snapshot_download do.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace lf::hub {

// What a repository holds: the two kinds live under different API paths,
// download URLs and cache folders on the hubs.
enum class RepoType { model, dataset };

struct HubOptions {
  std::string revision = "main";           // model_revision (ModelScope: main -> master)
  std::optional<std::string> cache_dir;    // cache_dir: replaces the hub's cache root
  std::optional<std::string> token;        // hf_hub_token / ms_hub_token
  bool modelscope = false;                 // USE_MODELSCOPE_HUB
  bool offline = false;                    // HF_HUB_OFFLINE: cache only, no network
  std::string hf_endpoint = "https://huggingface.co";      // HF_ENDPOINT
  std::string ms_endpoint = "https://www.modelscope.cn";   // MODELSCOPE_DOMAIN
  bool progress = true;                    // progress bars on stderr

  // Defaults overridden by HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE,
  // USE_MODELSCOPE_HUB, MODELSCOPE_DOMAIN; explicit arguments go on top.
  static HubOptions from_env();
};

// A local directory is returned as is. Otherwise `org/name` is looked up in
// the cache and downloaded where needed; returns the snapshot directory.
// Only what a model needs is fetched (top-level *.json, model*.safetensors,
// tokenizer.model, *.jinja); partial files resume; sizes and SHA-256 are
// checked when the hub reports them.
std::filesystem::path resolve_model(const std::string& name_or_path, const HubOptions& opt);

// Whether a hub file is one resolve_model fetches.
bool is_needed_file(const std::string& path);

}  // namespace lf::hub
