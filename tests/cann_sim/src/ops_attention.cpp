// Simulated aclnnFlashAttentionScore(+Grad) for layout "BSND" (reference
// §3.3): GQA (headNum query heads over fewer key heads), attenMask with
// 1 = masked out, sparseMode 0 (mask + preTokens / nextTokens), 1 (mask
// only), 2 / 3 (left-up / right-down causal from the compressed 2048x2048
// mask); softmaxMax / softmaxSum FLOAT32 [B, N, Sq, 8].
#include <cstring>
#include <limits>

#include "aclnnop/aclnn_flash_attention_score.h"
#include "aclnnop/aclnn_flash_attention_score_grad.h"
#include "ops_common.h"

using namespace cann_sim;

namespace {

struct Geometry {
  int64_t B, Sq, Skv, N, Nkv, D;
  double scale;
  int64_t pre, next, sparse;
  bool has_mask;
  TensorDesc mask;
};

// Validates shapes shared by forward and backward.
aclnnStatus geometry(const char* op, const TensorDesc& q, const TensorDesc& k, const TensorDesc& v,
                     const aclTensor* mask, int64_t headNum, const char* layout, int64_t sparseMode,
                     Geometry* g) {
  SIM_REQUIRE(op, layout && std::strcmp(layout, "BSND") == 0, "the simulator implements inputLayout \"BSND\"");
  SIM_REQUIRE(op, q.dims.size() == 4 && k.dims.size() == 4 && v.dims == k.dims, "query/key/value must be 4-D BSND");
  g->B = q.dims[0];
  g->Sq = q.dims[1];
  g->N = q.dims[2];
  g->D = q.dims[3];
  g->Skv = k.dims[1];
  g->Nkv = k.dims[2];
  SIM_REQUIRE(op, headNum == g->N && k.dims[0] == g->B && k.dims[3] == g->D, "headNum or key shape mismatch");
  SIM_REQUIRE(op, g->Nkv > 0 && g->N % g->Nkv == 0, "query heads must be a multiple of key heads");
  SIM_REQUIRE(op, sparseMode >= 0 && sparseMode <= 3, "the simulator implements sparseMode 0..3");
  g->sparse = sparseMode;
  g->has_mask = mask != nullptr;
  if (mask) {
    g->mask = desc(mask);
    SIM_REQUIRE(op, g->mask.dtype == ACL_BOOL || g->mask.dtype == ACL_UINT8, "attenMask must be BOOL or UINT8");
    if (sparseMode >= 2) {
      SIM_REQUIRE(op, g->mask.dims == std::vector<int64_t>({2048, 2048}),
                  "sparseMode 2/3 take the compressed 2048x2048 mask");
    } else {
      size_t r = g->mask.dims.size();
      SIM_REQUIRE(op, (r == 2 || r == 4) && g->mask.dims[r - 2] == g->Sq && g->mask.dims[r - 1] == g->Skv,
                  "attenMask must be [Sq,Skv], [1,1,Sq,Skv], [B,1,Sq,Skv] or [B,N,Sq,Skv]");
    }
  } else {
    SIM_REQUIRE(op, sparseMode == 0, "sparseMode 1..3 need attenMask");
  }
  return ACLNN_SUCCESS;
}

// Per (b, h): masked[i * Skv + j] for the whole row block.
std::vector<char> masked(const Geometry& g, const std::vector<double>& m, int64_t b, int64_t h) {
  std::vector<char> out(static_cast<size_t>(g.Sq * g.Skv), 0);
  for (int64_t i = 0; i < g.Sq; ++i)
    for (int64_t j = 0; j < g.Skv; ++j) {
      bool x = false;
      if (g.sparse == 2) x = j > i;
      else if (g.sparse == 3) x = j > i + (g.Skv - g.Sq);
      else {
        if (g.has_mask) {
          const auto& md = g.mask.dims;
          int64_t mb = md.size() == 4 && md[0] > 1 ? b : 0, mh = md.size() == 4 && md[1] > 1 ? h : 0;
          int64_t mn = md.size() == 4 ? md[1] : 1;
          x = m[((mb * mn + mh) * g.Sq + i) * g.Skv + j] != 0;
        }
        if (g.sparse == 0) x = x || j - i > g.next || i - j > g.pre;
      }
      out[i * g.Skv + j] = x;
    }
  return out;
}

// Masked, scaled scores of query row i against all keys of (b, h).
void scores(const Geometry& g, const std::vector<double>& q, const std::vector<double>& k,
            const std::vector<char>& mk, int64_t b, int64_t h, int64_t i, std::vector<double>& s) {
  int64_t hk = h / (g.N / g.Nkv);
  for (int64_t j = 0; j < g.Skv; ++j) {
    if (mk[i * g.Skv + j]) { s[j] = -std::numeric_limits<double>::infinity(); continue; }
    double acc = 0;
    for (int64_t d = 0; d < g.D; ++d)
      acc += q[((b * g.Sq + i) * g.N + h) * g.D + d] * k[((b * g.Skv + j) * g.Nkv + hk) * g.D + d];
    s[j] = acc * g.scale;
  }
}

}  // namespace

extern "C" {

aclnnStatus aclnnFlashAttentionScoreGetWorkspaceSize(
    const aclTensor* query, const aclTensor* key, const aclTensor* value, const aclTensor* realShiftOptional,
    const aclTensor* dropMaskOptional, const aclTensor* paddingMaskOptional, const aclTensor* attenMaskOptional,
    const aclIntArray* prefixOptional, double scaleValue, double keepProb, int64_t preTokens, int64_t nextTokens,
    int64_t headNum, char* inputLayout, int64_t innerPrecise, int64_t sparseMode, const aclTensor* softmaxMaxOut,
    const aclTensor* softmaxSumOut, const aclTensor* softmaxOutOut, const aclTensor* attentionOutOut,
    uint64_t* ws, aclOpExecutor** ex) {
  const char* op = "FlashAttentionScore";
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
  Geometry g;
  if (aclnnStatus st = geometry(op, q, k, v, attenMaskOptional, headNum, inputLayout, sparseMode, &g)) return st;
  g.scale = scaleValue;
  g.pre = preTokens;
  g.next = nextTokens;
  std::vector<int64_t> stat{g.B, g.N, g.Sq, 8};
  SIM_REQUIRE(op, mx.dims == stat && sm.dims == stat && mx.dtype == ACL_FLOAT && sm.dtype == ACL_FLOAT,
              "softmaxMaxOut / softmaxSumOut must be FLOAT32 [B, N, Sq, 8]");
  SIM_REQUIRE(op, out.dims == q.dims, "attentionOutOut must be shaped like query");
  return make_executor(op, 4096, [=] {
    auto vq = read(q), vk = read(k), vv = read(v);
    std::vector<double> m = g.has_mask ? read(g.mask) : std::vector<double>();
    std::vector<double> vo(vq.size(), 0.0), vmax(static_cast<size_t>(g.B * g.N * g.Sq * 8)), vsum(vmax.size());
    std::vector<double> s(static_cast<size_t>(g.Skv));
    int64_t group = g.N / g.Nkv;
    for (int64_t b = 0; b < g.B; ++b)
      for (int64_t h = 0; h < g.N; ++h) {
        auto mk = masked(g, m, b, h);
        for (int64_t i = 0; i < g.Sq; ++i) {
          scores(g, vq, vk, mk, b, h, i, s);
          double mxv = -std::numeric_limits<double>::infinity(), sum = 0;
          for (double e : s) mxv = std::max(mxv, e);
          if (std::isfinite(mxv)) {
            for (double& e : s) { e = std::exp(e - mxv); sum += e; }
            for (int64_t j = 0; j < g.Skv; ++j)
              for (int64_t d = 0; d < g.D; ++d)
                vo[((b * g.Sq + i) * g.N + h) * g.D + d] +=
                    s[j] / sum * vv[((b * g.Skv + j) * g.Nkv + h / group) * g.D + d];
          }
          for (int c = 0; c < 8; ++c) {
            vmax[((b * g.N + h) * g.Sq + i) * 8 + c] = mxv;
            vsum[((b * g.N + h) * g.Sq + i) * 8 + c] = sum;
          }
        }
      }
    write(out, vo);
    write(mx, vmax);
    write(sm, vsum);
  }, ws, ex);
}

aclnnStatus aclnnFlashAttentionScoreGradGetWorkspaceSize(
    const aclTensor* query, const aclTensor* keyIn, const aclTensor* value, const aclTensor* dy,
    const aclTensor* pseShiftOptional, const aclTensor* dropMaskOptional, const aclTensor* paddingMaskOptional,
    const aclTensor* attenMaskOptional, const aclTensor* softmaxMaxOptional, const aclTensor* softmaxSumOptional,
    const aclTensor* softmaxInOptional, const aclTensor* attentionInOptional, const aclIntArray* prefixOptional,
    double scaleValue, double keepProb, int64_t preTokens, int64_t nextTokens, int64_t headNum, char* inputLayout,
    int64_t innerPrecise, int64_t sparseMode, const aclTensor* dqOut, const aclTensor* dkOut,
    const aclTensor* dvOut, const aclTensor* dpseOut, uint64_t* ws, aclOpExecutor** ex) {
  const char* op = "FlashAttentionScoreGrad";
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
  Geometry g;
  if (aclnnStatus st = geometry(op, q, k, v, attenMaskOptional, headNum, inputLayout, sparseMode, &g)) return st;
  g.scale = scaleValue;
  g.pre = preTokens;
  g.next = nextTokens;
  std::vector<int64_t> stat{g.B, g.N, g.Sq, 8};
  SIM_REQUIRE(op, mx.dims == stat && sm.dims == stat, "softmaxMax / softmaxSum must be [B, N, Sq, 8]");
  SIM_REQUIRE(op, ddy.dims == q.dims && o.dims == q.dims && dq.dims == q.dims && dk.dims == k.dims &&
                      dv.dims == v.dims,
              "dy / attentionIn / dq / dk / dv shapes do not match");
  return make_executor(op, 4096, [=] {
    auto vq = read(q), vk = read(k), vv = read(v), vdy = read(ddy), vmx = read(mx), vsm = read(sm), vo = read(o);
    std::vector<double> m = g.has_mask ? read(g.mask) : std::vector<double>();
    std::vector<double> gq(vq.size(), 0.0), gk(vk.size(), 0.0), gv(vv.size(), 0.0);
    std::vector<double> s(static_cast<size_t>(g.Skv));
    int64_t group = g.N / g.Nkv;
    for (int64_t b = 0; b < g.B; ++b)
      for (int64_t h = 0; h < g.N; ++h) {
        auto mk = masked(g, m, b, h);
        int64_t hk = h / group;
        for (int64_t i = 0; i < g.Sq; ++i) {
          double rmax = vmx[((b * g.N + h) * g.Sq + i) * 8], rsum = vsm[((b * g.N + h) * g.Sq + i) * 8];
          if (!std::isfinite(rmax) || rsum <= 0) continue;
          scores(g, vq, vk, mk, b, h, i, s);
          auto qi = [&](int64_t d) { return ((b * g.Sq + i) * g.N + h) * g.D + d; };
          auto kj = [&](int64_t j, int64_t d) { return ((b * g.Skv + j) * g.Nkv + hk) * g.D + d; };
          double delta = 0;
          for (int64_t d = 0; d < g.D; ++d) delta += vdy[qi(d)] * vo[qi(d)];
          for (int64_t j = 0; j < g.Skv; ++j) {
            if (mk[i * g.Skv + j]) continue;
            double p = std::exp(s[j] - rmax) / rsum, dp = 0;
            for (int64_t d = 0; d < g.D; ++d) {
              dp += vdy[qi(d)] * vv[kj(j, d)];
              gv[kj(j, d)] += p * vdy[qi(d)];
            }
            double ds = p * (dp - delta) * g.scale;
            for (int64_t d = 0; d < g.D; ++d) {
              gq[qi(d)] += ds * vk[kj(j, d)];
              gk[kj(j, d)] += ds * vq[qi(d)];
            }
          }
        }
      }
    write(dq, gq);
    write(dk, gk);
    write(dv, gv);
  }, ws, ex);
}

}  // extern "C"

SIM_PHASE2(FlashAttentionScore)
SIM_PHASE2(FlashAttentionScoreGrad)
