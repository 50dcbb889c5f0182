// Next-token sampling with Hugging Face's processor order: repetition penalty,
// then (when sampling) temperature, top-k and top-p; greedy when do_sample is
// false or temperature is 0 (LLaMA-Factory's rule). The device only runs top-k;
// the draw happens on the host from a seeded generator, never a device multinomial.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "ops/ops.h"
#include "ops/ops_check.h"

namespace lf::ops {

int64_t sample(const Tensor& logits_row, const SamplingParams& p,
               const std::vector<int64_t>& history, std::mt19937_64& rng) {
  const char* op = "sample";
  detail::require_float(op, {"logits", logits_row});
  LF_CHECK(logits_row.dim() == 1 || (logits_row.dim() == 2 && logits_row.size(0) == 1), op,
           ": logits must be one row [V] or [1, V], got shape ", shape_str(logits_row.shape()));
  const int64_t V = logits_row.numel();
  LF_CHECK(V > 0, op, ": empty logits");
  LF_CHECK(p.temperature >= 0.0f, op, ": temperature must be >= 0, got ", p.temperature);
  LF_CHECK(p.top_p > 0.0f && p.top_p <= 1.0f, op, ": top_p must be in (0, 1], got ", p.top_p);
  LF_CHECK(p.top_k >= 0, op, ": top_k must be >= 0, got ", p.top_k);
  LF_CHECK(p.repetition_penalty > 0.0f, op, ": repetition_penalty must be > 0, got ",
           p.repetition_penalty);
  const bool greedy = !p.do_sample || p.temperature == 0.0f;
  std::unordered_set<int64_t> seen;
  if (p.repetition_penalty != 1.0f)
    for (int64_t t : history)
      if (t >= 0 && t < V) seen.insert(t);
  const int64_t keep = greedy ? 1 : (p.top_k > 0 ? std::min(p.top_k, V) : V);
  // The penalty only lowers scores, so the top `keep` after it lie within the top
  // keep + |seen| before it.
  const int64_t fetch = std::min(V, keep + static_cast<int64_t>(seen.size()));
  Device d = logits_row.device();
  Tensor values = Tensor::empty({1, fetch}, DType::f32, d);
  Tensor indices = Tensor::empty({1, fetch}, DType::i32, d);
  backend_for(d).topk(logits_row.contiguous().reshape({1, V}), fetch, values, indices);
  std::vector<float> val = values.to_floats();
  std::vector<int64_t> idx = indices.to_ints();
  for (int64_t i = 0; i < fetch; ++i)
    if (seen.count(idx[i]))
      val[i] = val[i] > 0.0f ? val[i] / p.repetition_penalty : val[i] * p.repetition_penalty;
  std::vector<int64_t> order(static_cast<size_t>(fetch));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return val[a] > val[b] || (val[a] == val[b] && idx[a] < idx[b]);
  });
  order.resize(static_cast<size_t>(keep));
  if (greedy) return idx[order[0]];
  std::vector<double> prob(order.size());
  const double top = val[order[0]] / p.temperature;
  double total = 0.0;
  for (size_t i = 0; i < order.size(); ++i) {
    prob[i] = std::exp(val[order[i]] / p.temperature - top);
    total += prob[i];
  }
  // Top-p: keep the smallest prefix whose probability mass reaches top_p.
  double mass = 0.0;
  size_t n = 0;
  while (n < prob.size() && (n == 0 || mass < p.top_p * total)) mass += prob[n++];
  const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53 * mass;
  double c = 0.0;
  for (size_t i = 0; i < n; ++i) {
    c += prob[i];
    if (u < c) return idx[order[i]];
  }
  return idx[order[n - 1]];
}

}  // namespace lf::ops
