// Simulated aclnnRotaryPositionEmbedding (reference §3.1, §3.4): out = x cos +
// rotate(x) sin, mode 0 "half" (rotate_half) or 1 "interleave" (adjacent
// pairs); cos / sin broadcast to x. CANN 8.1.RC1 ships no public header for it
// (§3.5) and 8.0.RC1 lacks it, so callers resolve it with dlsym; the
// prototype is declared here, not under include/.
#include "aclnnop/aclnn_apply_rotary_pos_emb.h"
#include "ops_common.h"

extern "C" {
aclnnStatus aclnnRotaryPositionEmbeddingGetWorkspaceSize(const aclTensor* x, const aclTensor* cos,
                                                         const aclTensor* sin, int64_t mode,
                                                         aclTensor* out, uint64_t* workspaceSize,
                                                         aclOpExecutor** executor);
aclnnStatus aclnnRotaryPositionEmbedding(void* workspace, uint64_t workspaceSize,
                                         aclOpExecutor* executor, aclrtStream stream);
}

using namespace cann_sim;

extern "C" aclnnStatus aclnnRotaryPositionEmbeddingGetWorkspaceSize(
    const aclTensor* x, const aclTensor* cos, const aclTensor* sin, int64_t mode, aclTensor* out,
    uint64_t* ws, aclOpExecutor** ex) {
  const char* op = "RotaryPositionEmbedding";
  SIM_CHECK(op, x);
  SIM_CHECK(op, cos);
  SIM_CHECK(op, sin);
  SIM_CHECK(op, out);
  TensorDesc dx = desc(x), dc = desc(cos), ds = desc(sin), dout = desc(out);
  SIM_REQUIRE(op, dx.dims.size() == 4 && dout.dims == dx.dims, "x and out must be 4-D and alike");
  SIM_REQUIRE(op, mode == 0 || mode == 1, "the simulator implements mode 0 (half) and 1 (interleave)");
  SIM_REQUIRE(op, dx.dims[3] % 2 == 0, "the last dim must be even");
  SIM_REQUIRE(op, broadcasts_to(dc, dx.dims) && broadcasts_to(ds, dx.dims) && dc.dims.back() == dx.dims[3],
              "cos / sin must broadcast to x with the full last dim");
  return make_executor(op, 0, [=] {
    auto v = read(dx), c = read_broadcast(dc, dx.dims), s = read_broadcast(ds, dx.dims);
    const int64_t D = dx.dims[3], half = D / 2;
    std::vector<double> o(v.size());
    for (size_t row = 0; row < v.size() / static_cast<size_t>(D); ++row) {
      const size_t b = row * static_cast<size_t>(D);
      for (int64_t j = 0; j < D; ++j) {
        double rot = mode == 0 ? (j < half ? -v[b + j + half] : v[b + j - half])
                               : (j % 2 == 0 ? -v[b + j + 1] : v[b + j - 1]);
        o[b + j] = v[b + j] * c[b + j] + rot * s[b + j];
      }
    }
    write(dout, o);
  }, ws, ex);
}

SIM_PHASE2(RotaryPositionEmbedding)

// Simulated aclnnApplyRotaryPosEmb (reference §3.1, Appendix A; CANN
// ops-transformer docs/aclnnApplyRotaryPosEmb.md): rotates queryRef and keyRef
// in place with rotate_half, x = x cos + rotate_half(x) sin. Rules of the real
// kernel: Atlas A2 / A3 only; layout 1 (BSND) only; 4-D tensors of one float
// dtype; q (B, S, Nq, 128), k (B, S, Nk, 128), cos = sin shape (B, S, 1, 128);
// the documented unified-buffer need of Nq + Nk heads within a 192 KB UB.
extern "C" aclnnStatus aclnnApplyRotaryPosEmbGetWorkspaceSize(aclTensor* queryRef, aclTensor* keyRef,
                                                              const aclTensor* cos, const aclTensor* sin,
                                                              int64_t layout, uint64_t* ws,
                                                              aclOpExecutor** ex) {
  const char* op = "ApplyRotaryPosEmb";
  SIM_CHECK(op, queryRef);
  SIM_CHECK(op, keyRef);
  SIM_CHECK(op, cos);
  SIM_CHECK(op, sin);
  SIM_REQUIRE(op, soc_is_a2_or_later(), "supported on Atlas A2 / A3 only, not " + soc_name());
  SIM_REQUIRE(op, layout == 1, "only layout 1 (BSND) is supported");
  TensorDesc q = desc(queryRef), k = desc(keyRef), c = desc(cos), s = desc(sin);
  SIM_REQUIRE(op, q.dims.size() == 4 && k.dims.size() == 4 && c.dims.size() == 4 && s.dims == c.dims,
              "query, key, cos and sin must be 4-D, cos shaped like sin");
  SIM_REQUIRE(op, q.dtype == k.dtype && q.dtype == c.dtype && q.dtype == s.dtype && is_float(q.dtype),
              "query, key, cos and sin must share one float dtype");
  SIM_REQUIRE(op, q.dims[3] == 128 && k.dims[3] == 128 && c.dims[3] == 128, "the head dim D must be 128");
  SIM_REQUIRE(op, k.dims[0] == q.dims[0] && k.dims[1] == q.dims[1] &&
                      c.dims == std::vector<int64_t>({q.dims[0], q.dims[1], 1, 128}),
              "B and S must match; cos / sin must be (B, S, 1, D)");
  const int64_t e = q.dtype == ACL_FLOAT ? 4 : 2, cs = q.dtype == ACL_BF16 ? 4 : e;
  const int64_t ub = (q.dims[2] + k.dims[2]) * 128 * cs * 5 + 128 * e * 4 + (q.dtype == ACL_BF16 ? 1024 : 0);
  SIM_REQUIRE(op, ub <= 192 * 1024, "query and key heads need more than the 192 KB unified buffer");
  return make_executor(op, 0, [=] {
    auto vc = read(c), vs = read(s);
    for (const TensorDesc& x : {q, k}) {
      auto v = read(x);
      const int64_t H = x.dims[2], D = 128, half = 64;
      std::vector<double> o(v.size());
      for (size_t row = 0; row < v.size() / D; ++row) {
        const size_t b = row * D, cs = (row / H) * D;  // cos / sin row of this (b, s)
        for (int64_t j = 0; j < D; ++j) {
          const double rot = j < half ? -v[b + j + half] : v[b + j - half];
          o[b + j] = v[b + j] * vc[cs + j] + rot * vs[cs + j];
        }
      }
      write(x, o);
    }
  }, ws, ex);
}

SIM_PHASE2(ApplyRotaryPosEmb)
