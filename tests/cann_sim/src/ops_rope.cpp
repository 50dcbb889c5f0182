// Simulated aclnnRotaryPositionEmbedding (reference §3.1, §3.4): out = x cos +
// rotate(x) sin, mode 0 "half" (rotate_half) or 1 "interleave" (adjacent
// pairs); cos / sin broadcast to x. CANN 8.1.RC1 ships no public header for it
// (§3.5) and 8.0.RC1 lacks it, so callers resolve it with dlsym; the
// prototype is declared here, not under include/.
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
