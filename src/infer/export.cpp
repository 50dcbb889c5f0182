#include "infer/export.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/log.h"
#include "core/runtime.h"
#include "core/strings.h"
#include "data/dataset.h"
#include "infer/chat_engine.h"
#include "models/lora.h"
#include "models/model_spec.h"
#include "models/safetensors.h"

namespace lf::infer {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

namespace {

// Tokenizer files transformers' save_pretrained writes for the tokenizers we load.
constexpr const char* kTokenizerFiles[] = {"tokenizer.json", "special_tokens_map.json", "vocab.json",
                                           "merges.txt", "tokenizer.model", "added_tokens.json"};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  LF_CHECK(in, "cannot read ", p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

ordered_json read_json(const fs::path& p) {
  ordered_json j = ordered_json::parse(read_text(p), nullptr, false);
  LF_CHECK(!j.is_discarded() && j.is_object(), p.string(), " is not a JSON object");
  return j;
}

void check_refusals(const hparams::Args& args) {
  const auto& e = args.exporting;
  const auto& m = args.model;
  LF_CHECK(e.export_dir && !e.export_dir->empty(), "Please specify `export_dir` to save model.");
  const bool adapters = m.adapter_name_or_path && !m.adapter_name_or_path->empty();
  LF_CHECK(!(m.quantization_bit && adapters), "Cannot merge adapters to a quantized model.");
  LF_CHECK(!(e.export_quantization_bit && adapters), "Please merge adapters before quantizing the model.");
  LF_CHECK(!m.quantization_bit, "quantization_bit: quantised models are not supported by llamafactory.cpp; "
           "export from the unquantised base model");
  LF_CHECK(!e.export_quantization_bit, "export_quantization_bit: GPTQ export is not supported by llamafactory.cpp; "
           "export the merged model and quantise it with another tool");
  LF_CHECK(!e.export_legacy_format, "export_legacy_format: the legacy .bin format is not written by "
           "llamafactory.cpp (it needs pickle); remove the key to export safetensors");
  LF_CHECK(!e.export_hub_model_id, "export_hub_model_id: pushing to the Hugging Face hub is not supported; "
           "upload export_dir with `huggingface-cli upload` afterwards");
  LF_CHECK(e.export_size >= 1, "export_size must be at least 1 (GB per shard), got ", e.export_size);
}

// LLaMA-Factory keeps the checkpoint's dtype under infer_dtype auto, except
// that float32 checkpoints are saved in bfloat16.
DType output_dtype(const std::string& infer_dtype_setting, DType model_dtype) {
  if (infer_dtype_setting != "auto") return infer_dtype(infer_dtype_setting, model_dtype);
  return model_dtype == DType::f32 ? DType::bf16 : model_dtype;
}

void write_config(const fs::path& src, const fs::path& out, DType dtype) {
  ordered_json config = read_json(src / "config.json");
  config["torch_dtype"] = dtype_name(dtype);
  write_file_atomic(out / "config.json", config.dump(2) + "\n");
  if (fs::exists(src / "generation_config.json")) {
    fs::copy_file(src / "generation_config.json", out / "generation_config.json",
                  fs::copy_options::overwrite_existing);
    return;
  }
  // transformers derives one from config.json when the checkpoint has none.
  ordered_json gen = {{"_from_model_config", true}};
  for (const char* key : {"bos_token_id", "eos_token_id", "pad_token_id"})
    if (config.contains(key)) gen[key] = config[key];
  write_file_atomic(out / "generation_config.json", gen.dump(2) + "\n");
}

void write_tokenizer(const fs::path& src, const fs::path& out) {
  for (const char* name : kTokenizerFiles)
    if (fs::exists(src / name)) fs::copy_file(src / name, out / name, fs::copy_options::overwrite_existing);
  ordered_json config = fs::exists(src / "tokenizer_config.json") ? read_json(src / "tokenizer_config.json")
                                                                   : ordered_json::object();
  config["padding_side"] = "left";  // as upstream forces for generation
  write_file_atomic(out / "tokenizer_config.json", config.dump(2) + "\n");
}

void write_modelfile(const hparams::Args& args, const fs::path& src, const fs::path& out) {
  tok::Tokenizer tokenizer = tok::Tokenizer::load(src.string());
  auto vocab = data::tokenizer_vocab(tokenizer);
  data::DataOptions dopt;
  dopt.template_name = args.data.template_.value_or("");
  dopt.default_system = args.data.default_system;
  dopt.tool_format = args.data.tool_format;
  dopt.enable_thinking = args.data.enable_thinking;
  const data::TemplateSpec& spec = data::select_template(dopt, *vocab);
  data::ChatTemplate tmpl(spec, *vocab, data::template_options(dopt));
  write_file_atomic(out / "Modelfile",
                    ollama_modelfile(tmpl, tokenizer, args.data.default_system.value_or(spec.default_system)));
}

}  // namespace

void export_model(const hparams::Args& args) {
  check_refusals(args);
  const auto& m = args.model;
  LF_CHECK(m.model_name_or_path && fs::is_directory(*m.model_name_or_path),
           "model_name_or_path must be a local model directory (got ", m.model_name_or_path.value_or("nothing"), ")");
  const fs::path src = *m.model_name_or_path;
  const fs::path out = *args.exporting.export_dir;
  LF_CHECK(fs::weakly_canonical(src) != fs::weakly_canonical(out),
           "export_dir must differ from model_name_or_path: exporting would overwrite the base model");

  const models::ModelSpec spec = models::load_model_spec(src);
  const DType dtype = output_dtype(m.infer_dtype, spec.torch_dtype);
  models::LoadOptions lopt;
  // Adapters are merged in float32 and the result rounded once to the output dtype.
  lopt.dtype = DType::f32;
  lopt.device = resolve_device(args.exporting.export_device);  // cpu | auto
  models::Decoder model = models::Decoder::load(src, lopt);
  if (m.adapter_name_or_path) {
    for (const auto& a : split_list(*m.adapter_name_or_path)) {
      models::load_peft_adapter(a, model, false);
      models::merge_lora(model);
      log::info("Merged adapter: ", a);
    }
  }

  fs::create_directories(out);
  std::vector<models::NamedTensor> tensors;
  for (auto& [name, var] : model.named_weights()) tensors.emplace_back(name, var->value().to(dtype));
  const uint64_t shard_bytes = static_cast<uint64_t>(args.exporting.export_size) * 1000ull * 1000ull * 1000ull;
  auto files = models::write_safetensors_sharded(out, tensors, shard_bytes);
  write_config(src, out, dtype);
  write_tokenizer(src, out);
  write_modelfile(args, src, out);
  log::info("Exported ", tensors.size(), " tensors (", dtype_name(dtype), ") in ", files.size(),
            " file(s) to ", out.string());
}

}  // namespace lf::infer
