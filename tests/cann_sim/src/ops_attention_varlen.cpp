// Simulated aclnnFlashAttentionVarLenScore and aclnnFlashAttentionUnpaddingScoreGrad
// (reference §3.1 "FA variants", Appendix A; CANN ops-transformer
// docs/aclnnFlashAttentionVarLenScore.md): layout "TND" only, the sequences
// packed back to back along T. actualSeqQLen / actualSeqKvLen are host arrays
// of cumulative ends (lengths [2, 2, 0, 2] are passed as [2, 4, 4, 6]); each
// sequence attends only within itself. Without attenMask the computation is
// full (sparseMode, preTokens, nextTokens ignored); sparseMode 2 / 3 with the
// compressed 2048x2048 mask are left-up / right-down causal per sequence, and
// mode 3 needs Sq <= Skv in every sequence. Rows with no key at all are
// rejected (the kernel does not support fully masked rows). softmaxMax /
// softmaxSum are FLOAT32 [N, T, 8]. Atlas A2 training series only.
#include <cstring>
#include <limits>

#include "aclnnop/aclnn_flash_attention_score.h"
#include "aclnnop/aclnn_flash_attention_score_grad.h"
#include "ops_common.h"

using namespace cann_sim;

namespace {

struct VarLen {
  int64_t Tq, Tkv, N, Nkv, D, sparse;
  bool causal_mask;  // an attenMask was given with sparseMode 2 / 3
  double scale;
  std::vector<int64_t> q_end, kv_end;  // cumulative ends
};

aclnnStatus plan(const char* op, const TensorDesc& q, const TensorDesc& k, const TensorDesc& v,
                 const aclTensor* mask, const aclIntArray* q_lens, const aclIntArray* kv_lens,
                 int64_t headNum, const char* layout, int64_t sparseMode, VarLen* g) {
  SIM_REQUIRE(op, soc_is_a2(), "supported on the Atlas A2 training series only, not " + soc_name());
  SIM_REQUIRE(op, layout && std::strcmp(layout, "TND") == 0, "inputLayout must be \"TND\"");
  SIM_REQUIRE(op, q.dims.size() == 3 && k.dims.size() == 3 && v.dims == k.dims, "query/key/value must be 3-D TND");
  SIM_REQUIRE(op, q.dtype == k.dtype && k.dtype == v.dtype && is_float(q.dtype), "query/key/value dtypes differ");
  g->Tq = q.dims[0];
  g->N = q.dims[1];
  g->D = q.dims[2];
  g->Tkv = k.dims[0];
  g->Nkv = k.dims[1];
  SIM_REQUIRE(op, headNum == g->N && k.dims[2] == g->D, "headNum or key shape mismatch");
  SIM_REQUIRE(op, g->Nkv > 0 && g->N % g->Nkv == 0, "query heads must be a multiple of key heads");
  SIM_REQUIRE(op, q_lens && kv_lens, "TND needs actualSeqQLen and actualSeqKvLen");
  g->q_end = int_array(q_lens);
  g->kv_end = int_array(kv_lens);
  const size_t n = g->q_end.size();
  SIM_REQUIRE(op, n >= 1 && n <= 2048 && g->kv_end.size() == n,
              "actualSeqQLen / actualSeqKvLen must have the same length, 1..2048");
  g->causal_mask = mask != nullptr;
  if (mask) {
    TensorDesc m = desc(mask);
    SIM_REQUIRE(op, m.dtype == ACL_BOOL || m.dtype == ACL_UINT8, "attenMask must be BOOL or UINT8");
    SIM_REQUIRE(op, (sparseMode == 2 || sparseMode == 3) && m.dims == std::vector<int64_t>({2048, 2048}),
                "the simulator implements attenMask only as the compressed 2048x2048 mask of sparseMode 2/3");
  }
  g->sparse = sparseMode;
  int64_t q0 = 0, k0 = 0;
  for (size_t s = 0; s < n; ++s) {
    const int64_t sq = g->q_end[s] - q0, skv = g->kv_end[s] - k0;
    SIM_REQUIRE(op, sq >= 0 && skv >= 0, "actualSeqQLen / actualSeqKvLen must be cumulative (non-decreasing)");
    SIM_REQUIRE(op, sq == 0 || skv > 0, "a sequence with queries but no keys (fully masked rows)");
    SIM_REQUIRE(op, !(g->causal_mask && sparseMode == 3) || sq <= skv,
                "sparseMode 3 needs Sq <= Skv in every sequence");
    q0 = g->q_end[s];
    k0 = g->kv_end[s];
  }
  SIM_REQUIRE(op, q0 == g->Tq && k0 == g->Tkv, "the last cumulative lengths must equal T of query / key");
  return ACLNN_SUCCESS;
}

// Calls f(q0, sq, k0, skv) for every sequence: its first query / key row and lengths.
template <typename F>
void each_sequence(const VarLen& g, F f) {
  int64_t q0 = 0, k0 = 0;
  for (size_t s = 0; s < g.q_end.size(); ++s) {
    f(q0, g.q_end[s] - q0, k0, g.kv_end[s] - k0);
    q0 = g.q_end[s];
    k0 = g.kv_end[s];
  }
}

bool visible(const VarLen& g, int64_t i, int64_t j, int64_t sq, int64_t skv) {
  if (!g.causal_mask) return true;
  return g.sparse == 2 ? j <= i : j <= i + skv - sq;
}

// Scaled scores of global query row t (local i) of head h against its sequence's keys.
void scores(const VarLen& g, const std::vector<double>& q, const std::vector<double>& k, int64_t t,
            int64_t i, int64_t h, int64_t sq, int64_t k0, int64_t skv, std::vector<double>& s) {
  const int64_t hk = h / (g.N / g.Nkv);
  s.assign(static_cast<size_t>(skv), -std::numeric_limits<double>::infinity());
  for (int64_t j = 0; j < skv; ++j) {
    if (!visible(g, i, j, sq, skv)) continue;
    double acc = 0;
    for (int64_t d = 0; d < g.D; ++d) acc += q[(t * g.N + h) * g.D + d] * k[((k0 + j) * g.Nkv + hk) * g.D + d];
    s[j] = acc * g.scale;
  }
}

}  // namespace

extern "C" {

aclnnStatus aclnnFlashAttentionVarLenScoreGetWorkspaceSize(
    const aclTensor* query, const aclTensor* key, const aclTensor* value, const aclTensor* realShiftOptional,
    const aclTensor* dropMaskOptional, const aclTensor* paddingMaskOptional, const aclTensor* attenMaskOptional,
    const aclIntArray* prefixOptional, const aclIntArray* actualSeqQLenOptional,
    const aclIntArray* actualSeqKvLenOptional, double scaleValue, double keepProb, int64_t preTokens,
    int64_t nextTokens, int64_t headNum, char* inputLayout, int64_t innerPrecise, int64_t sparseMode,
    const aclTensor* softmaxMaxOut, const aclTensor* softmaxSumOut, const aclTensor* softmaxOutOut,
    const aclTensor* attentionOutOut, uint64_t* ws, aclOpExecutor** ex) {
  const char* op = "FlashAttentionVarLenScore";
  (void)preTokens;  // no effect without a band / default-mode attenMask
  (void)nextTokens;
  SIM_CHECK(op, query);
  SIM_CHECK(op, key);
  SIM_CHECK(op, value);
  SIM_CHECK(op, softmaxMaxOut);
  SIM_CHECK(op, softmaxSumOut);
  SIM_CHECK(op, attentionOutOut);
  SIM_REQUIRE(op, !realShiftOptional && !dropMaskOptional && !paddingMaskOptional && !prefixOptional &&
                      !softmaxOutOut && keepProb == 1.0 && innerPrecise == 0,
              "the simulator implements no pse, dropout, padding mask, prefix or softmaxOut");
  if (attenMaskOptional) SIM_CHECK(op, attenMaskOptional);
  TensorDesc q = desc(query), k = desc(key), v = desc(value), mx = desc(softmaxMaxOut),
             sm = desc(softmaxSumOut), out = desc(attentionOutOut);
  VarLen g;
  if (aclnnStatus st = plan(op, q, k, v, attenMaskOptional, actualSeqQLenOptional, actualSeqKvLenOptional,
                            headNum, inputLayout, sparseMode, &g))
    return st;
  g.scale = scaleValue;
  const std::vector<int64_t> stat{g.N, g.Tq, 8};
  SIM_REQUIRE(op, mx.dims == stat && sm.dims == stat && mx.dtype == ACL_FLOAT && sm.dtype == ACL_FLOAT,
              "softmaxMaxOut / softmaxSumOut must be FLOAT32 [N, T, 8]");
  SIM_REQUIRE(op, out.dims == q.dims && out.dtype == q.dtype, "attentionOutOut must be shaped like query");
  return make_executor(op, 4096, [=] {
    auto vq = read(q), vk = read(k), vv = read(v);
    std::vector<double> vo(vq.size(), 0.0), vmax(static_cast<size_t>(g.N * g.Tq * 8)), vsum(vmax.size());
    std::vector<double> s;
    const int64_t group = g.N / g.Nkv;
    each_sequence(g, [&](int64_t q0, int64_t sq, int64_t k0, int64_t skv) {
      for (int64_t h = 0; h < g.N; ++h)
        for (int64_t i = 0; i < sq; ++i) {
          const int64_t t = q0 + i;
          scores(g, vq, vk, t, i, h, sq, k0, skv, s);
          double mxv = -std::numeric_limits<double>::infinity(), sum = 0;
          for (double e : s) mxv = std::max(mxv, e);
          for (double& e : s) { e = std::exp(e - mxv); sum += e; }
          for (int64_t j = 0; j < skv; ++j)
            for (int64_t d = 0; d < g.D; ++d)
              vo[(t * g.N + h) * g.D + d] += s[j] / sum * vv[((k0 + j) * g.Nkv + h / group) * g.D + d];
          for (int c = 0; c < 8; ++c) {
            vmax[(h * g.Tq + t) * 8 + c] = mxv;
            vsum[(h * g.Tq + t) * 8 + c] = sum;
          }
        }
    });
    write(out, vo);
    write(mx, vmax);
    write(sm, vsum);
  }, ws, ex);
}

aclnnStatus aclnnFlashAttentionUnpaddingScoreGradGetWorkspaceSize(
    const aclTensor* query, const aclTensor* keyIn, const aclTensor* value, const aclTensor* dy,
    const aclTensor* pseShiftOptional, const aclTensor* dropMaskOptional, const aclTensor* paddingMaskOptional,
    const aclTensor* attenMaskOptional, const aclTensor* softmaxMaxOptional, const aclTensor* softmaxSumOptional,
    const aclTensor* softmaxInOptional, const aclTensor* attentionInOptional, const aclIntArray* prefixOptional,
    const aclIntArray* actualSeqQLenOptional, const aclIntArray* actualSeqKvLenOptional, double scaleValue,
    double keepProb, int64_t preTokens, int64_t nextTokens, int64_t headNum, char* inputLayout,
    int64_t innerPrecise, int64_t sparseMode, const aclTensor* dqOut, const aclTensor* dkOut,
    const aclTensor* dvOut, const aclTensor* dpseOut, uint64_t* ws, aclOpExecutor** ex) {
  const char* op = "FlashAttentionUnpaddingScoreGrad";
  (void)preTokens;
  (void)nextTokens;
  SIM_CHECK(op, query);
  SIM_CHECK(op, keyIn);
  SIM_CHECK(op, value);
  SIM_CHECK(op, dy);
  SIM_CHECK(op, softmaxMaxOptional);
  SIM_CHECK(op, softmaxSumOptional);
  SIM_CHECK(op, attentionInOptional);
  SIM_CHECK(op, dqOut);
  SIM_CHECK(op, dkOut);
  SIM_CHECK(op, dvOut);
  SIM_REQUIRE(op, !pseShiftOptional && !dropMaskOptional && !paddingMaskOptional && !prefixOptional &&
                      !softmaxInOptional && !dpseOut && keepProb == 1.0 && innerPrecise == 0,
              "the simulator implements no pse, dropout, padding mask, prefix or softmaxIn");
  if (attenMaskOptional) SIM_CHECK(op, attenMaskOptional);
  TensorDesc q = desc(query), k = desc(keyIn), v = desc(value), ddy = desc(dy), mx = desc(softmaxMaxOptional),
             sm = desc(softmaxSumOptional), o = desc(attentionInOptional), dq = desc(dqOut), dk = desc(dkOut),
             dv = desc(dvOut);
  VarLen g;
  if (aclnnStatus st = plan(op, q, k, v, attenMaskOptional, actualSeqQLenOptional, actualSeqKvLenOptional,
                            headNum, inputLayout, sparseMode, &g))
    return st;
  g.scale = scaleValue;
  const std::vector<int64_t> stat{g.N, g.Tq, 8};
  SIM_REQUIRE(op, mx.dims == stat && sm.dims == stat, "softmaxMax / softmaxSum must be [N, T, 8]");
  SIM_REQUIRE(op, ddy.dims == q.dims && o.dims == q.dims && dq.dims == q.dims && dk.dims == k.dims &&
                      dv.dims == v.dims,
              "dy / attentionIn / dq / dk / dv shapes do not match");
  return make_executor(op, 4096, [=] {
    auto vq = read(q), vk = read(k), vv = read(v), vdy = read(ddy), vmx = read(mx), vsm = read(sm), vo = read(o);
    std::vector<double> gq(vq.size(), 0.0), gk(vk.size(), 0.0), gv(vv.size(), 0.0), s;
    const int64_t group = g.N / g.Nkv;
    each_sequence(g, [&](int64_t q0, int64_t sq, int64_t k0, int64_t skv) {
      for (int64_t h = 0; h < g.N; ++h)
        for (int64_t i = 0; i < sq; ++i) {
          const int64_t t = q0 + i, hk = h / group;
          const double rmax = vmx[(h * g.Tq + t) * 8], rsum = vsm[(h * g.Tq + t) * 8];
          scores(g, vq, vk, t, i, h, sq, k0, skv, s);
          auto qi = [&](int64_t d) { return (t * g.N + h) * g.D + d; };
          auto kj = [&](int64_t j, int64_t d) { return ((k0 + j) * g.Nkv + hk) * g.D + d; };
          double delta = 0;
          for (int64_t d = 0; d < g.D; ++d) delta += vdy[qi(d)] * vo[qi(d)];
          for (int64_t j = 0; j < skv; ++j) {
            if (!std::isfinite(s[j])) continue;
            double p = std::exp(s[j] - rmax) / rsum, dp = 0;
            for (int64_t d = 0; d < g.D; ++d) {
              dp += vdy[qi(d)] * vv[kj(j, d)];
              gv[kj(j, d)] += p * vdy[qi(d)];
            }
            const double ds = p * (dp - delta) * g.scale;
            for (int64_t d = 0; d < g.D; ++d) {
              gq[qi(d)] += ds * vk[kj(j, d)];
              gk[kj(j, d)] += ds * vq[qi(d)];
            }
          }
        }
    });
    write(dq, gq);
    write(dk, gk);
    write(dv, gv);
  }, ws, ex);
}

}  // extern "C"

SIM_PHASE2(FlashAttentionVarLenScore)
SIM_PHASE2(FlashAttentionUnpaddingScoreGrad)
