// The simulated fused kernels added for issue #8: their parameter rules
// (161001 / 161002 in phase 1, as the CANN docs list them) and semantics.
#include <cmath>

#include "aclnnop/aclnn_apply_adam_w_v2.h"
#include "aclnnop/aclnn_apply_rotary_pos_emb.h"
#include "aclnnop/aclnn_flash_attention_score.h"
#include "test_util.h"

using namespace cann_sim_test;

namespace {

struct VarLenCall {
  DeviceFloats q, k, v, mx, sm, out;
  aclTensor *tq, *tk, *tv, *tmx, *tsm, *to;
  // T = 3 tokens, one head of width 2.
  VarLenCall()
      : q({1, 0, 0, 1, 1, 1}), k({1, 0, 0, 1, 1, 1}), v({10, 20, 30, 40, 50, 60}),
        mx(std::vector<float>(24)), sm(std::vector<float>(24)), out(std::vector<float>(6)) {
    tq = q.tensor({3, 1, 2}, {2, 2, 1});
    tk = k.tensor({3, 1, 2}, {2, 2, 1});
    tv = v.tensor({3, 1, 2}, {2, 2, 1});
    tmx = mx.tensor({1, 3, 8}, {24, 8, 1});
    tsm = sm.tensor({1, 3, 8}, {24, 8, 1});
    to = out.tensor({3, 1, 2}, {2, 2, 1});
  }
  ~VarLenCall() {
    for (aclTensor* t : {tq, tk, tv, tmx, tsm, to}) aclDestroyTensor(t);
  }
  aclnnStatus run(std::vector<int64_t> q_end, std::vector<int64_t> kv_end, const char* layout = "TND",
                  int64_t sparse = 0) {
    aclIntArray* qa = aclCreateIntArray(q_end.data(), q_end.size());
    aclIntArray* ka = aclCreateIntArray(kv_end.data(), kv_end.size());
    std::string l = layout;
    uint64_t ws = 0;
    aclOpExecutor* ex = nullptr;
    aclnnStatus st = aclnnFlashAttentionVarLenScoreGetWorkspaceSize(
        tq, tk, tv, nullptr, nullptr, nullptr, nullptr, nullptr, qa, ka, 1.0, 1.0, 65536, 65536, 1, l.data(), 0,
        sparse, tmx, tsm, nullptr, to, &ws, &ex);
    aclDestroyIntArray(qa);
    aclDestroyIntArray(ka);
    if (st != ACLNN_SUCCESS) return st;
    void* w = nullptr;
    EXPECT_EQ(aclrtMalloc(&w, ws, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    st = aclnnFlashAttentionVarLenScore(w, ws, ex, nullptr);
    EXPECT_EQ(aclrtSynchronizeStream(nullptr), ACL_SUCCESS);
    aclrtFree(w);
    return st;
  }
};

}  // namespace

TEST(Aclnn, VarLenSequencesAreCumulativeEndsAndAttendOnlyWithin) {
  init_device0();
  VarLenCall c;
  // Sequences [0, 1) and [1, 3): token 0 sees only key 0, so its output is v0.
  ASSERT_EQ(c.run({1, 3}, {1, 3}), ACLNN_SUCCESS);
  std::vector<float> o = c.out.read();
  EXPECT_FLOAT_EQ(o[0], 10);
  EXPECT_FLOAT_EQ(o[1], 20);
  // Tokens 1 and 2 mix v1 and v2 only.
  for (int i = 2; i < 6; ++i) EXPECT_TRUE(o[i] > 29 && o[i] < 61) << o[i];
  // Statistics are [N, T, 8]: row 0's sum over its single key is 1.
  EXPECT_FLOAT_EQ(c.sm.read()[0], 1.0f);
}

TEST(Aclnn, VarLenRejectsBadSequenceParameters) {
  init_device0();
  VarLenCall c;
  EXPECT_EQ(c.run({1, 3}, {1, 3}, "BSND"), ACLNN_ERR_PARAM_INVALID);   // layout
  EXPECT_EQ(c.run({1, 2}, {1, 3}), ACLNN_ERR_PARAM_INVALID);           // last end != T
  EXPECT_EQ(c.run({2, 1, 3}, {2, 2, 3}), ACLNN_ERR_PARAM_INVALID);     // not cumulative
  EXPECT_EQ(c.run({1, 3}, {0, 3}), ACLNN_ERR_PARAM_INVALID);           // queries without keys
  EXPECT_EQ(c.run({1}, {1, 3}), ACLNN_ERR_PARAM_INVALID);              // lengths differ
}

TEST(Aclnn, ApplyRotaryPosEmbRotatesBothTensorsInPlace) {
  init_device0();
  std::vector<float> qh(2 * 128), kh(128), ch(128), sh(128);
  for (int i = 0; i < 256; ++i) qh[i] = static_cast<float>(i % 13) - 6;
  for (int i = 0; i < 128; ++i) kh[i] = static_cast<float>(i % 5), ch[i] = std::cos(0.01f * i), sh[i] = std::sin(0.01f * i);
  DeviceFloats q(qh), k(kh), c(ch), s(sh);
  aclTensor *tq = q.tensor({1, 1, 2, 128}, {256, 256, 128, 1}), *tk = k.tensor({1, 1, 1, 128}, {128, 128, 128, 1}),
            *tc = c.tensor({1, 1, 1, 128}, {128, 128, 128, 1}), *ts = s.tensor({1, 1, 1, 128}, {128, 128, 128, 1});
  uint64_t ws = 0;
  aclOpExecutor* ex = nullptr;
  EXPECT_EQ(aclnnApplyRotaryPosEmbGetWorkspaceSize(tq, tk, tc, ts, 2, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
  ASSERT_EQ(aclnnApplyRotaryPosEmbGetWorkspaceSize(tq, tk, tc, ts, 1, &ws, &ex), ACLNN_SUCCESS);
  ASSERT_EQ(aclnnApplyRotaryPosEmb(nullptr, ws, ex, nullptr), ACLNN_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(nullptr), ACL_SUCCESS);
  std::vector<float> qo = q.read(), ko = k.read();
  for (int h = 0; h < 2; ++h)
    for (int j = 0; j < 128; ++j) {
      const float* x = &qh[h * 128];
      const float rot = j < 64 ? -x[j + 64] : x[j - 64];
      EXPECT_NEAR(qo[h * 128 + j], x[j] * ch[j] + rot * sh[j], 1e-5f);
    }
  EXPECT_NEAR(ko[70], kh[70] * ch[70] + kh[6] * sh[70], 1e-5f);
  for (aclTensor* t : {tq, tk, tc, ts}) aclDestroyTensor(t);
  // Head dims other than 128 are rejected.
  DeviceFloats small(std::vector<float>(64));
  aclTensor* t64 = small.tensor({1, 1, 1, 64}, {64, 64, 64, 1});
  EXPECT_EQ(aclnnApplyRotaryPosEmbGetWorkspaceSize(t64, t64, t64, t64, 1, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
  aclDestroyTensor(t64);
  // 80 FLOAT heads need more unified buffer than a core has.
  DeviceFloats wide(std::vector<float>(80 * 128));
  aclTensor *tw = wide.tensor({1, 1, 79, 128}, {80 * 128, 80 * 128, 128, 1}),
            *tk1 = wide.tensor({1, 1, 1, 128}, {128, 128, 128, 1});
  EXPECT_EQ(aclnnApplyRotaryPosEmbGetWorkspaceSize(tw, tk1, tk1, tk1, 1, &ws, &ex), ACLNN_ERR_PARAM_INVALID);
  aclDestroyTensor(tw);
  aclDestroyTensor(tk1);
}

TEST(Aclnn, ApplyAdamWV2FollowsTheDocumentedUpdate) {
  init_device0();
  const float lr = 0.1f, b1 = 0.9f, b2 = 0.99f, wd = 0.5f, eps = 1e-6f;
  DeviceFloats p({1, -2}), m({0.1f, 0}), v({0.5f, 0}), mx({2.0f, 0}), g({0.5f, 1}), step({3});
  auto t = [](const DeviceFloats& d) { return d.tensor({2}, {1}); };
  aclTensor *tp = t(p), *tm = t(m), *tv = t(v), *tmx = t(mx), *tg = t(g), *ts = step.tensor({1}, {1});
  uint64_t ws = 0;
  aclOpExecutor* ex = nullptr;
  EXPECT_EQ(aclnnApplyAdamWV2GetWorkspaceSize(tp, tm, tv, nullptr, tg, ts, lr, b1, b2, wd, eps, true, false, &ws, &ex),
            ACLNN_ERR_PARAM_NULLPTR);  // amsgrad needs maxGradNorm
  ASSERT_EQ(aclnnApplyAdamWV2GetWorkspaceSize(tp, tm, tv, tmx, tg, ts, lr, b1, b2, wd, eps, true, true, &ws, &ex),
            ACLNN_SUCCESS);
  ASSERT_EQ(aclnnApplyAdamWV2(nullptr, ws, ex, nullptr), ACLNN_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(nullptr), ACL_SUCCESS);
  // Element 0 by the formula: maximize negates g; amsgrad keeps max(2.0, v).
  const double g0 = -0.5, m0 = b1 * 0.1 + (1 - b1) * g0, v0 = b2 * 0.5 + (1 - b2) * g0 * g0;
  const double vmax = std::max(2.0, v0), bc1 = 1 - std::pow(b1, 3.0), bc2 = 1 - std::pow(b2, 3.0);
  const double p0 = 1 - lr * wd * 1 - lr * (m0 / bc1) / (std::sqrt(vmax / bc2) + eps);
  EXPECT_NEAR(m.read()[0], m0, 1e-6);
  EXPECT_NEAR(v.read()[0], v0, 1e-6);
  EXPECT_NEAR(mx.read()[0], vmax, 1e-6);
  EXPECT_NEAR(p.read()[0], p0, 1e-5);
  aclTensor* t1 = g.tensor({1}, {1});
  EXPECT_EQ(aclnnApplyAdamWV2GetWorkspaceSize(tp, tm, tv, nullptr, t1, ts, lr, b1, b2, wd, eps, false, false, &ws, &ex),
            ACLNN_ERR_PARAM_INVALID);  // grad shape differs from var
  for (aclTensor* x : {tp, tm, tv, tmx, tg, ts, t1}) aclDestroyTensor(x);
}
