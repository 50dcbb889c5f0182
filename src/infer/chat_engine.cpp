#include "infer/chat_engine.h"

#include <filesystem>

#include "core/error.h"
#include "core/fresh_thread.h"
#include "core/log.h"
#include "core/runtime.h"
#include "core/strings.h"
#include "data/dataset.h"
#include "models/lora.h"
#include "models/model_source.h"
#include "models/model_spec.h"
#include "ops/backend.h"

namespace lf::infer {

DType infer_dtype(const std::string& setting, DType model_dtype) {
  if (setting == "auto") return model_dtype;
  if (setting == "float16") return DType::f16;
  if (setting == "bfloat16") return DType::bf16;
  if (setting == "float32") return DType::f32;
  fail("infer_dtype: ", setting, " is not one of auto, float16, bfloat16, float32");
}

ChatEngine::ChatEngine(const hparams::Args& args, const EngineOptions& engine) : gen_(args.generating) {
  const auto& m = args.model;
  LF_CHECK(m.infer_backend == "huggingface", "infer_backend: ", m.infer_backend,
           " is not available here; llamafactory.cpp has its own engine: use infer_backend: "
           "huggingface (the default)");
  LF_CHECK(m.model_name_or_path && !m.model_name_or_path->empty(),
           "model_name_or_path is required: a Hugging Face model directory");
  // A local directory, or a hub id downloaded into (or found in) the hub cache.
  std::filesystem::path dir = models::locate_model(m);
  LF_CHECK(!m.quantization_bit, "quantization_bit is not supported yet: remove it");
  tokenizer_ = tok::Tokenizer::load(dir.string());
  vocab_ = data::tokenizer_vocab(tokenizer_);

  data::DataOptions dopt;
  dopt.template_name = args.data.template_.value_or("");
  dopt.default_system = args.data.default_system;
  dopt.tool_format = args.data.tool_format;
  dopt.enable_thinking = args.data.enable_thinking;
  const data::TemplateSpec& spec = data::select_template(dopt, *vocab_);
  template_ = std::make_unique<data::ChatTemplate>(spec, *vocab_, data::template_options(dopt));
  default_system_ = args.data.default_system.value_or(spec.default_system);

  models::ModelSpec mspec = models::load_model_spec(dir);
  models::LoadOptions lopt;
  ops::init_backends();  // device discovery needs every compiled backend registered
  lopt.device = resolve_device(m.device);
  lopt.dtype = infer_dtype(m.infer_dtype, mspec.torch_dtype);
  // Loaded on a thread that then exits, so the engine thread runs the only
  // OpenMP team of the process (see core/fresh_thread.h).
  on_fresh_thread([&] {
    model_ = std::make_unique<models::Decoder>(models::Decoder::load(dir, lopt));
    if (m.adapter_name_or_path) {
      for (const auto& a : split_list(*m.adapter_name_or_path)) {
        models::load_peft_adapter(a, *model_, false);
        models::merge_lora(*model_);
        log::info("Loaded adapter(s): ", a);
      }
    }
    model_->prepare_inference();
  });
  batch_ = std::make_unique<BatchEngine>(*model_, engine);
}

Reply ChatEngine::chat(const std::vector<data::Message>& messages, const std::string& system,
                       const std::string& tools, const GenerationOverrides& o,
                       const std::function<void(const std::string&)>& on_text) const {
  return chat_until(messages, system, tools, o, [&](const std::string& piece) {
    if (on_text) on_text(piece);
    return true;
  });
}

Reply ChatEngine::chat_until(const std::vector<data::Message>& messages, const std::string& system,
                             const std::string& tools, const GenerationOverrides& o,
                             const std::function<bool(const std::string&)>& on_text) const {
  LF_CHECK(!messages.empty() && messages.size() % 2 == 1, "chat: messages must alternate user and "
           "assistant and end with a user message (got ", messages.size(), ")");
  std::vector<int32_t> prompt = template_->encode_generation_prompt(
      messages, system.empty() ? default_system_ : system, tools);
  GenerateOptions g;
  g.sampling.do_sample = o.do_sample.value_or(gen_.do_sample);
  g.sampling.temperature = o.temperature.value_or(static_cast<float>(gen_.temperature));
  g.sampling.top_p = o.top_p.value_or(static_cast<float>(gen_.top_p));
  g.sampling.top_k = o.top_k.value_or(gen_.top_k);
  g.sampling.repetition_penalty = o.repetition_penalty.value_or(static_cast<float>(gen_.repetition_penalty));
  g.max_new_tokens = o.max_new_tokens.value_or(gen_.max_new_tokens > 0 ? gen_.max_new_tokens : gen_.max_length);
  g.seed = o.seed.value_or(std::random_device{}());
  g.stop_ids = template_->stop_token_ids();

  std::shared_ptr<Generation> gen = batch_->submit(prompt, g);
  // Whatever way this call ends (a reader that stops, an exception from
  // on_text), the engine drops the sequence and frees its blocks.
  struct CancelOnExit {
    Generation& g;
    ~CancelOnExit() { g.cancel(); }
  } cancel_on_exit{*gen};

  tok::IncrementalDecoder dec(tokenizer_, gen_.skip_special_tokens);
  std::string text;
  bool stopped = false;
  int64_t completion_tokens = 0;
  std::vector<int32_t> ids;
  while (!stopped && gen->next(ids)) {
    for (int32_t id : ids) {
      ++completion_tokens;
      std::string piece = dec.push(id);
      text += piece;
      if (on_text && !piece.empty() && !on_text(piece)) {
        stopped = true;
        break;
      }
    }
    ids.clear();
  }
  std::string rest = dec.flush();
  text += rest;
  if (!stopped && on_text && !rest.empty()) on_text(rest);
  return {text, stopped ? "stop" : gen->finish_reason(), gen->prompt_tokens(), completion_tokens};
}

}  // namespace lf::infer
