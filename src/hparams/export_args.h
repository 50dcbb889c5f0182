// LLaMA-Factory's export keys (part of ModelArguments upstream; a group of
// their own here because only `export` reads them).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "hparams/field.h"

namespace lf::hparams {

struct ExportArguments {
  std::optional<std::string> export_dir;
  int64_t export_size = 5;  // GB per safetensors shard
  std::string export_device = "cpu";
  std::optional<int64_t> export_quantization_bit;
  std::optional<std::string> export_quantization_dataset;
  int64_t export_quantization_nsamples = 128;
  int64_t export_quantization_maxlen = 1024;
  bool export_legacy_format = false;
  std::optional<std::string> export_hub_model_id;

  template <typename V>
  void visit(V& v) {
    v("export_dir", export_dir);
    v("export_size", export_size);
    v("export_device", export_device, {"cpu", "auto"});
    v("export_quantization_bit", export_quantization_bit);
    v("export_quantization_dataset", export_quantization_dataset);
    v("export_quantization_nsamples", export_quantization_nsamples);
    v("export_quantization_maxlen", export_quantization_maxlen);
    v("export_legacy_format", export_legacy_format);
    v("export_hub_model_id", export_hub_model_id);
  }
};

}  // namespace lf::hparams
