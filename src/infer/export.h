// `llamafactory-cli export` (LLaMA-Factory's train/tuner.py::export_model):
// the base model with its adapters merged, written as a Hugging Face model
// directory that this engine, transformers and Ollama can load.
#pragma once
#include <string>

#include "data/template.h"
#include "hparams/args.h"
#include "tokenizer/tokenizer.h"

namespace lf::infer {

// Writes into export_dir: model.safetensors (or shards of at most export_size
// GB + model.safetensors.index.json), config.json with the output torch_dtype,
// generation_config.json, the tokenizer files (padding_side "left") and an
// Ollama Modelfile. Refuses, with LLaMA-Factory's messages where it has them:
// no export_dir, export_legacy_format, a quantised base, export quantisation.
void export_model(const hparams::Args& args);

// LLaMA-Factory's get_ollama_modelfile for `tmpl`.
std::string ollama_modelfile(const data::ChatTemplate& tmpl, const tok::Tokenizer& tokenizer,
                             const std::string& default_system);

}  // namespace lf::infer
