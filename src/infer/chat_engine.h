// A loaded model ready to chat: weights (+ adapters, merged), tokenizer and
// template, with LLaMA-Factory's generation defaults. Shared by `chat`, the
// API server and the web chat; it never names a device.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/example.h"
#include "data/template.h"
#include "data/vocab.h"
#include "hparams/args.h"
#include "infer/batch_engine.h"
#include "infer/generate.h"
#include "models/decoder.h"
#include "tokenizer/tokenizer.h"

namespace lf::infer {

// Per-request overrides of the generating arguments (API fields).
struct GenerationOverrides {
  std::optional<bool> do_sample;
  std::optional<float> temperature, top_p, repetition_penalty;
  std::optional<int64_t> top_k, max_new_tokens;
  std::optional<uint64_t> seed;
};

struct Reply {
  std::string text;
  std::string finish_reason;  // "stop" or "length"
  int64_t prompt_tokens = 0, completion_tokens = 0;
};

// Generation goes through one BatchEngine, so concurrent chat() calls (API
// requests, web chat sessions) are decoded together; each call blocks its own
// thread only, and on_text runs on that thread.
class ChatEngine {
 public:
  explicit ChatEngine(const hparams::Args& args, const EngineOptions& engine = {});

  // messages: user/assistant turns ending with a user turn. on_text receives
  // complete UTF-8 pieces as they are generated (may be empty).
  Reply chat(const std::vector<data::Message>& messages, const std::string& system = "",
             const std::string& tools = "", const GenerationOverrides& overrides = {},
             const std::function<void(const std::string&)>& on_text = {}) const;
  // As chat(), but on_text returns false to end generation early (a client
  // gone, a stop string seen); the reply then has finish_reason "stop".
  Reply chat_until(const std::vector<data::Message>& messages, const std::string& system,
                   const std::string& tools, const GenerationOverrides& overrides,
                   const std::function<bool(const std::string&)>& on_text) const;

  const models::Decoder& model() const { return *model_; }
  const tok::Tokenizer& tokenizer() const { return tokenizer_; }
  const data::ChatTemplate& chat_template() const { return *template_; }
  const std::string& default_system() const { return default_system_; }
  const BatchEngine& batch_engine() const { return *batch_; }

 private:
  hparams::GeneratingArguments gen_;
  tok::Tokenizer tokenizer_;
  std::unique_ptr<data::Vocab> vocab_;
  std::unique_ptr<data::ChatTemplate> template_;
  std::unique_ptr<models::Decoder> model_;
  std::string default_system_;
  std::unique_ptr<BatchEngine> batch_;  // declared after model_: stops before the model goes
};

// infer_dtype: auto (the model's torch_dtype) | float16 | bfloat16 | float32.
DType infer_dtype(const std::string& setting, DType model_dtype);

}  // namespace lf::infer
