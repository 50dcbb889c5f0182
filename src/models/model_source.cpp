#include "models/model_source.h"

#include "core/error.h"
#include "hub/hub.h"

namespace lf::models {

std::filesystem::path locate_model(const hparams::ModelArguments& args) {
  LF_CHECK(args.model_name_or_path && !args.model_name_or_path->empty(),
           "model_name_or_path is required: a local model directory or a hub id such as "
           "Qwen/Qwen2.5-0.5B-Instruct");
  hub::HubOptions opt = hub::HubOptions::from_env();
  opt.revision = args.model_revision;
  opt.cache_dir = args.cache_dir;
  // An explicit token argument wins over HF_TOKEN, as in transformers.
  if (opt.modelscope) opt.token = args.ms_hub_token;
  else if (args.hf_hub_token) opt.token = args.hf_hub_token;
  return hub::resolve_model(*args.model_name_or_path, opt);
}

}  // namespace lf::models
