#include "infer/generate.h"

#include <algorithm>
#include <random>

#include "autograd/grad_mode.h"
#include "core/error.h"

namespace lf::infer {

ops::SamplingParams effective_sampling(ops::SamplingParams p) {
  if (p.temperature <= 0.0f) p.do_sample = false;
  if (!p.do_sample) {
    p.temperature = 1.0f;
    p.top_p = 1.0f;
  }
  return p;
}

GenerateResult generate(const models::Decoder& model, const std::vector<int32_t>& prompt,
                        const GenerateOptions& options,
                        const std::function<bool(int32_t)>& on_token) {
  LF_CHECK(!prompt.empty(), "generate: the prompt is empty");
  const int64_t context = model.spec().max_position_embeddings;
  const int64_t plen = static_cast<int64_t>(prompt.size());
  LF_CHECK(plen < context, "the prompt has ", plen, " tokens but the model's context is ", context,
           ": shorten the conversation");
  ag::NoGradGuard no_grad;
  const int64_t budget = std::min<int64_t>(options.max_new_tokens, context - plen);
  GenerateResult result;
  result.prompt_tokens = plen;
  result.finish_reason = "length";
  models::KvCache cache = model.make_cache(1, plen + std::max<int64_t>(budget, 1));
  std::mt19937_64 rng(options.seed);
  const ops::SamplingParams sp = effective_sampling(options.sampling);
  std::vector<int64_t> history(prompt.begin(), prompt.end());

  Tensor logits = model.forward(Tensor::from_ints(history, {1, plen}, DType::i32, model.device()), cache);
  for (int64_t i = 0; i < budget; ++i) {
    int64_t next = ops::sample(logits.select(0, 0), sp, history, rng);
    int32_t id = static_cast<int32_t>(next);
    if (std::find(options.stop_ids.begin(), options.stop_ids.end(), id) != options.stop_ids.end()) {
      result.finish_reason = "stop";
      break;
    }
    result.ids.push_back(id);
    history.push_back(next);
    if (on_token && !on_token(id)) {
      result.finish_reason = "stop";
      break;
    }
    if (i + 1 == budget) break;
    logits = model.forward(Tensor::from_ints({next}, {1, 1}, DType::i32, model.device()), cache);
  }
  return result;
}

}  // namespace lf::infer
