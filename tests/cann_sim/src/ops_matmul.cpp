// Simulated aclnnMatmul: batched, with broadcast batch dims, and the
// cubeMathType rules of reference §3.2 (KEEP_DTYPE with FP32 fails on the
// Atlas training series; BF16 needs A2; ALLOW_FP32_DOWN_PRECISION computes
// FP32 as HF32 on A2 and FP16 elsewhere; USE_FP16 rounds inputs to FP16).
#include "aclnnop/aclnn_matmul.h"
#include "ops_common.h"

using namespace cann_sim;

namespace {

// Keeps `bits` mantissa bits of an fp32 value (round to nearest).
double round_mantissa(double v, int bits) {
  if (v == 0 || !std::isfinite(v)) return v;
  int e;
  double m = std::frexp(v, &e);
  return std::ldexp(std::nearbyint(std::ldexp(m, bits + 1)), e - bits - 1);
}

}  // namespace

extern "C" aclnnStatus aclnnMatmulGetWorkspaceSize(const aclTensor* self, const aclTensor* mat2,
                                                   aclTensor* out, int8_t cubeMathType,
                                                   uint64_t* ws, aclOpExecutor** ex) {
  const char* op = "Matmul";
  SIM_CHECK(op, self);
  SIM_CHECK(op, mat2);
  SIM_CHECK(op, out);
  TensorDesc a = desc(self), b = desc(mat2), o = desc(out);
  SIM_REQUIRE(op, a.dims.size() >= 2 && b.dims.size() >= 2 && o.dims.size() >= 2,
              "the simulator supports 2-D and batched operands");
  SIM_REQUIRE(op, cubeMathType >= 0 && cubeMathType <= 3, "cubeMathType must be 0..3");
  SIM_REQUIRE(op, is_float(a.dtype) && a.dtype == b.dtype, "self and mat2 need one float dtype");
  bool a2 = soc_is_a2_or_later();
  SIM_REQUIRE(op, a2 || a.dtype != ACL_BF16, "BF16 matmul needs an Atlas A2/A3 device");
  SIM_REQUIRE(op, a2 || a.dtype != ACL_FLOAT || cubeMathType != 0,
              "FP32 with cubeMathType KEEP_DTYPE is not supported on this SoC");
  size_t na = a.dims.size(), nb = b.dims.size(), no = o.dims.size();
  int64_t M = a.dims[na - 2], K = a.dims[na - 1], N = b.dims[nb - 1];
  SIM_REQUIRE(op, b.dims[nb - 2] == K, "inner dimensions differ");
  SIM_REQUIRE(op, o.dims[no - 2] == M && o.dims[no - 1] == N, "out shape is not [..., M, N]");
  std::vector<int64_t> batch(o.dims.begin(), o.dims.end() - 2);
  std::vector<int64_t> adims = batch, bdims = batch;
  adims.insert(adims.end(), {M, K});
  bdims.insert(bdims.end(), {K, N});
  SIM_REQUIRE(op, broadcasts_to(a, adims) && broadcasts_to(b, bdims), "batch dims do not broadcast");
  // FP32 inputs lose mantissa bits in HF32 / FP16 modes (10 explicit bits each).
  int bits = a.dtype == ACL_FLOAT && cubeMathType != 0 ? 10 : 0;
  return make_executor(op, 1024, [=] {
    auto va = read_broadcast(a, adims), vb = read_broadcast(b, bdims);
    if (bits) {
      for (double& v : va) v = round_mantissa(v, bits);
      for (double& v : vb) v = round_mantissa(v, bits);
    }
    int64_t batches = 1;
    for (int64_t d : batch) batches *= d;
    std::vector<double> vo(static_cast<size_t>(batches * M * N));
    for (int64_t p = 0; p < batches; ++p)
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) {
          float acc = 0;  // the cube unit accumulates in fp32
          for (int64_t k = 0; k < K; ++k)
            acc += static_cast<float>(va[(p * M + i) * K + k] * vb[(p * K + k) * N + j]);
          vo[(p * M + i) * N + j] = acc;
        }
    write(o, vo);
  }, ws, ex);
}

SIM_PHASE2(Matmul)
