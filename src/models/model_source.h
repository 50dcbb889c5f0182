// Where a model's files are: `model_name_or_path` as a local directory, or a
// hub id resolved through the cache/download rules of src/hub with the
// ModelArguments LLaMA-Factory passes along (model_revision, cache_dir,
// hf_hub_token / ms_hub_token) over the environment's settings.
#pragma once
#include <filesystem>

#include "hparams/model_args.h"

namespace lf::models {

std::filesystem::path locate_model(const hparams::ModelArguments& args);

}  // namespace lf::models
