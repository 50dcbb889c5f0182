// The simulated aclnn layer: two-phase calls, single-use executors,
// parameter errors, element-unit strides and offsets, kernel faults at
// synchronisation (reference §2, §12).
#include <cstring>

#include "aclnnop/aclnn_add.h"
#include "aclnnop/aclnn_embedding.h"
#include "aclnnop/aclnn_matmul.h"
#include "aclnnop/aclnn_multinomial.h"
#include "test_util.h"

using namespace cann_sim_test;

namespace {

// Runs phase 1 + phase 2 of aclnnAdd (out = a + alpha * b) on the default stream.
aclnnStatus add(aclTensor* a, aclTensor* b, aclTensor* out, float alpha) {
  aclScalar* s = aclCreateScalar(&alpha, ACL_FLOAT);
  uint64_t ws = 0;
  aclOpExecutor* ex = nullptr;
  aclnnStatus st = aclnnAddGetWorkspaceSize(a, b, s, out, &ws, &ex);
  aclDestroyScalar(s);
  if (st != ACLNN_SUCCESS) return st;
  return aclnnAdd(nullptr, ws, ex, nullptr);
}

}  // namespace

TEST(Aclnn, ExecutorRunsOnlyOnce) {
  init_device0();
  DeviceFloats a({1, 2}), o({0, 0});
  aclTensor *ta = a.tensor({2}, {1}), *to = o.tensor({2}, {1});
  float one = 1;
  aclScalar* s = aclCreateScalar(&one, ACL_FLOAT);
  uint64_t ws = 0;
  aclOpExecutor* ex = nullptr;
  ASSERT_EQ(aclnnAddGetWorkspaceSize(ta, ta, s, to, &ws, &ex), ACLNN_SUCCESS);
  EXPECT_EQ(aclnnAdd(nullptr, ws, ex, nullptr), ACLNN_SUCCESS);
  EXPECT_EQ(aclnnAdd(nullptr, ws, ex, nullptr), ACLNN_ERR_PARAM_INVALID);
  ASSERT_EQ(aclrtSynchronizeStream(nullptr), ACL_SUCCESS);
  EXPECT_EQ(o.read(), (std::vector<float>{2, 4}));
  aclDestroyScalar(s);
  aclDestroyTensor(ta);
  aclDestroyTensor(to);
}

TEST(Aclnn, BadParametersAreRejectedInPhaseOne) {
  init_device0();
  DeviceFloats a({1, 2, 3}), o({0, 0});
  aclTensor *ta = a.tensor({3}, {1}), *to = o.tensor({2}, {1});
  EXPECT_EQ(add(nullptr, ta, to, 1), ACLNN_ERR_PARAM_NULLPTR);     // 161001
  EXPECT_EQ(add(ta, ta, to, 1), ACLNN_ERR_PARAM_INVALID);          // 161002: shapes
  std::vector<float> host{1, 2};
  int64_t dims[] = {2}, strides[] = {1}, storage = 2;
  aclTensor* th = aclCreateTensor(dims, 1, ACL_FLOAT, strides, 0, ACL_FORMAT_ND, &storage, 1, host.data());
  EXPECT_EQ(add(th, th, to, 1), ACLNN_ERR_PARAM_INVALID);          // host memory
  for (aclTensor* t : {ta, to, th}) aclDestroyTensor(t);
}

TEST(Aclnn, StridesAndOffsetsAreInElements) {
  init_device0();
  // a = [[1, 2, 3], [4, 5, 6]]; the view a^T[1:] = [[2, 5], [3, 6]] has dims {2, 2},
  // strides {1, 3} and offset 1 (elements, not bytes).
  DeviceFloats a({1, 2, 3, 4, 5, 6}), o({0, 0, 0, 0});
  aclTensor *tv = a.tensor({2, 2}, {1, 3}, 1), *to = o.tensor({2, 2}, {2, 1});
  ASSERT_EQ(add(tv, tv, to, 10), ACLNN_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(nullptr), ACL_SUCCESS);
  EXPECT_EQ(o.read(), (std::vector<float>{22, 55, 33, 66}));
  aclDestroyTensor(tv);
  aclDestroyTensor(to);
}

TEST(Aclnn, KernelFaultsSurfaceAtSynchronize) {
  init_device0();
  DeviceFloats w({1, 2, 3, 4}), out({0, 0});
  std::vector<int64_t> ids{5};  // row 5 of a 2-row table
  void* dids = nullptr;
  ASSERT_EQ(aclrtMalloc(&dids, 8, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemcpy(dids, 8, ids.data(), 8, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
  int64_t d1[] = {1}, s1[] = {1}, n1 = 1;
  aclTensor* ti = aclCreateTensor(d1, 1, ACL_INT64, s1, 0, ACL_FORMAT_ND, &n1, 1, dids);
  aclTensor *tw = w.tensor({2, 2}, {2, 1}), *to = out.tensor({1, 2}, {2, 1});
  uint64_t ws = 0;
  aclOpExecutor* ex = nullptr;
  ASSERT_EQ(aclnnEmbeddingGetWorkspaceSize(tw, ti, to, &ws, &ex), ACLNN_SUCCESS);
  EXPECT_EQ(aclnnEmbedding(nullptr, ws, ex, nullptr), ACLNN_SUCCESS);  // launch succeeds
  EXPECT_EQ(aclrtSynchronizeStream(nullptr), ACL_ERROR_RT_AICORE_EXCEPTION);
  const char* msg = aclGetRecentErrMsg();
  ASSERT_NE(msg, nullptr);
  EXPECT_NE(std::strstr(msg, "aclnnEmbedding"), nullptr);
  for (aclTensor* t : {ti, tw, to}) aclDestroyTensor(t);
  aclrtFree(dids);
}

TEST(Aclnn, MatmulWorkspaceMustBeDeviceMemory) {
  init_device0();
  DeviceFloats a({1, 2, 3, 4}), o({0, 0, 0, 0});
  aclTensor *ta = a.tensor({2, 2}, {2, 1}), *to = o.tensor({2, 2}, {2, 1});
  uint64_t ws = 0;
  aclOpExecutor* ex = nullptr;
  ASSERT_EQ(aclnnMatmulGetWorkspaceSize(ta, ta, to, 0, &ws, &ex), ACLNN_SUCCESS);
  ASSERT_GT(ws, 0u);
  std::vector<char> host(ws);
  EXPECT_EQ(aclnnMatmul(host.data(), ws, ex, nullptr), ACLNN_ERR_PARAM_INVALID);
  aclDestroyTensor(ta);
  aclDestroyTensor(to);
}

TEST(SimFaultMultinomial, AiCpuMultinomialFailsWith507018AtSync) {
  if (!env_is("CANN_SIM_FAULT", "multinomial")) GTEST_SKIP() << "run by ctest cann_sim.fault_multinomial";
  init_device0();
  DeviceFloats p({0.5f, 0.5f});
  void* dout = nullptr;
  ASSERT_EQ(aclrtMalloc(&dout, 8, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  int64_t d[] = {1, 1}, s[] = {1, 1}, n = 1;
  aclTensor *tp = p.tensor({1, 2}, {2, 1}),
            *to = aclCreateTensor(d, 2, ACL_INT64, s, 0, ACL_FORMAT_ND, &n, 1, dout);
  uint64_t ws = 0;
  aclOpExecutor* ex = nullptr;
  ASSERT_EQ(aclnnMultinomialGetWorkspaceSize(tp, 1, true, 0, 0, to, &ws, &ex), ACLNN_SUCCESS);
  EXPECT_EQ(aclnnMultinomial(nullptr, ws, ex, nullptr), ACLNN_SUCCESS);
  EXPECT_EQ(aclrtSynchronizeStream(nullptr), ACL_ERROR_RT_AICPU_EXCEPTION);  // 507018
  aclDestroyTensor(tp);
  aclDestroyTensor(to);
  aclrtFree(dout);
}
