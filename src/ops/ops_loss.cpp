// Cross-entropy, fused with the output projection and chunked over the
// vocabulary: only [N, chunk] logits exist at a time, forward and backward
// (backward recomputes each chunk's logits instead of storing them).
#include <cmath>
#include <limits>
#include <vector>

#include "ops/ops.h"
#include "ops/ops_check.h"

namespace lf::ops {

namespace {

constexpr int64_t kIgnoreIndex = -100;

void check_labels(const char* op, const Tensor& labels, int64_t N, int64_t V) {
  detail::require_index(op, {"labels", labels});
  detail::require_shape(op, {"labels", labels}, {N});
  for (int64_t l : labels.to_ints())
    LF_CHECK(l == kIgnoreIndex || (l >= 0 && l < V), op, ": label ", l,
             " is outside the vocabulary [0, ", V, ") and is not the ignore index -100");
}

struct Stats {
  Tensor max, sum, target;
};

Stats new_stats(int64_t N, Device d) {
  return {full({N}, -std::numeric_limits<float>::infinity(), DType::f32, d),
          zeros({N}, DType::f32, d), zeros({N}, DType::f32, d)};
}

// Host side of the reduction: per-row lse (0 for ignored rows) and the mean loss.
float finish(const Stats& s, const std::vector<int64_t>& labels, std::vector<float>& lse,
             int64_t* count) {
  std::vector<float> m = s.max.to_floats(), sum = s.sum.to_floats(), t = s.target.to_floats();
  lse.assign(labels.size(), 0.0f);
  double total = 0.0;
  *count = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == kIgnoreIndex) continue;
    lse[i] = m[i] + std::log(sum[i]);
    total += static_cast<double>(lse[i]) - t[i];
    ++*count;
  }
  // All labels ignored: the loss is 0 with no gradient rather than NaN.
  return *count ? static_cast<float>(total / static_cast<double>(*count)) : 0.0f;
}

void check_linear_ce(const char* op, const Tensor& hidden, const Tensor& weight,
                     const Tensor& labels, int64_t chunk) {
  detail::require_float(op, {"hidden", hidden});
  detail::require_float(op, {"weight", weight});
  detail::require_dim(op, {"hidden", hidden}, 2);
  detail::require_dim(op, {"weight", weight}, 2);
  LF_CHECK(hidden.size(1) == weight.size(1), op, ": hidden [N, H] and weight [V, H] disagree on H: ",
           detail::describe_args({{"hidden", hidden}, {"weight", weight}}));
  LF_CHECK(chunk > 0, op, ": chunk must be positive, got ", chunk);
  check_labels(op, labels, hidden.size(0), weight.size(0));
}

// f32 logits [N, C] of vocabulary rows [c0, c0 + C).
Tensor chunk_logits(const Tensor& hidden, const Tensor& weight, int64_t c0, int64_t c1) {
  Tensor logits = Tensor::empty({hidden.size(0), c1 - c0}, DType::f32, hidden.device());
  matmul_(logits, hidden, weight.slice(0, c0, c1), false, true);
  return logits;
}

}  // namespace

LinearCrossEntropyOut linear_cross_entropy(const Tensor& hidden, const Tensor& weight,
                                           const Tensor& labels, int64_t chunk) {
  const char* op = "linear_cross_entropy";
  Device d = detail::common_device(op, {{"hidden", hidden}, {"weight", weight}, {"labels", labels}});
  check_linear_ce(op, hidden, weight, labels, chunk);
  const int64_t N = hidden.size(0), V = weight.size(0);
  Tensor h = hidden.contiguous(), lab = labels.contiguous();
  Stats s = new_stats(N, d);
  Backend& be = backend_for(d);
  for (int64_t c0 = 0; c0 < V && N > 0; c0 += chunk) {
    Tensor logits = chunk_logits(h, weight, c0, std::min(V, c0 + chunk));
    be.cross_entropy_chunk(logits, lab, c0, s.max, s.sum, s.target);
  }
  LinearCrossEntropyOut out;
  std::vector<float> lse;
  float loss = finish(s, lab.to_ints(), lse, &out.count);
  out.loss = Tensor::from_vector({loss}, {1}, DType::f32, d);
  out.lse = Tensor::from_vector(lse, {N}, DType::f32, d);
  return out;
}

Tensor linear_cross_entropy_backward(const Tensor& hidden, const Tensor& weight,
                                     const Tensor& labels, const Tensor& lse, int64_t count,
                                     float dloss, Tensor& dweight, int64_t chunk) {
  const char* op = "linear_cross_entropy_backward";
  Device d = detail::common_device(op, {{"hidden", hidden}, {"weight", weight}, {"labels", labels},
                                        {"lse", lse}, {"dweight", dweight}});
  check_linear_ce(op, hidden, weight, labels, chunk);
  const int64_t N = hidden.size(0), V = weight.size(0), H = hidden.size(1);
  detail::require_shape(op, {"lse", lse}, {N});
  if (dweight.defined())
    LF_CHECK(dweight.dtype() == DType::f32 && dweight.shape() == weight.shape() &&
                 dweight.is_contiguous(),
             op, ": dweight must be contiguous float32 shaped like weight: ",
             detail::describe_args({{"weight", weight}, {"dweight", dweight}}));
  Tensor dh = zeros({N, H}, DType::f32, d);
  if (count == 0 || N == 0) return cast(dh, hidden.dtype());
  Tensor h = hidden.contiguous(), lab = labels.contiguous();
  Tensor row_scale = full({N}, dloss / static_cast<float>(count), DType::f32, d);
  Backend& be = backend_for(d);
  for (int64_t c0 = 0; c0 < V; c0 += chunk) {
    const int64_t c1 = std::min(V, c0 + chunk);
    Tensor logits = chunk_logits(h, weight, c0, c1);
    Tensor dlogits = Tensor::empty(logits.shape(), DType::f32, d);
    be.cross_entropy_chunk_backward(logits, lab, c0, lse, row_scale, dlogits);
    // The two products run in the model's dtype, like the forward projection.
    Tensor dl = cast(dlogits, hidden.dtype());
    matmul_(dh, dl, weight.slice(0, c0, c1), false, false, 1.0f, 1.0f);
    if (dweight.defined()) {
      Tensor dw = dweight.slice(0, c0, c1);
      matmul_(dw, dl, h, true, false, 1.0f, 1.0f);
    }
  }
  return cast(dh, hidden.dtype());
}

float cross_entropy(const Tensor& logits, const Tensor& labels) {
  Device d = detail::common_device("cross_entropy", {{"logits", logits}, {"labels", labels}});
  detail::require_float("cross_entropy", {"logits", logits});
  detail::require_dim("cross_entropy", {"logits", logits}, 2);
  check_labels("cross_entropy", labels, logits.size(0), logits.size(1));
  Tensor lab = labels.contiguous();
  Stats s = new_stats(logits.size(0), d);
  if (logits.numel())
    backend_for(d).cross_entropy_chunk(logits.contiguous(), lab, 0, s.max, s.sum, s.target);
  std::vector<float> lse;
  int64_t count = 0;
  return finish(s, lab.to_ints(), lse, &count);
}

}  // namespace lf::ops
