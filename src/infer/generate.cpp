#include "infer/generate.h"

namespace lf::infer {

ops::SamplingParams effective_sampling(ops::SamplingParams p) {
  if (p.temperature <= 0.0f) p.do_sample = false;
  if (!p.do_sample) {
    p.temperature = 1.0f;
    p.top_p = 1.0f;
  }
  return p;
}

}  // namespace lf::infer
