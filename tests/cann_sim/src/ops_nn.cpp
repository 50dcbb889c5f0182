// Simulated fused NN ops: RmsNorm(+Grad), SwiGlu(+Grad), Embedding,
// EmbeddingDenseBackward (semantics: reference §3.1 and the op docs cited there).
#include "aclnnop/aclnn_embedding.h"
#include "aclnnop/aclnn_embedding_dense_backward.h"
#include "aclnnop/aclnn_rms_norm.h"
#include "aclnnop/aclnn_rms_norm_grad.h"
#include "aclnnop/aclnn_swi_glu.h"
#include "aclnnop/aclnn_swi_glu_grad.h"
#include "ops_common.h"

using namespace cann_sim;

namespace {

// Row count and row length when the trailing dims of `x` match `gamma`.
bool split_rows(const TensorDesc& x, const TensorDesc& g, int64_t* rows, int64_t* cols) {
  size_t nx = x.dims.size(), ng = g.dims.size();
  if (ng == 0 || ng > nx) return false;
  *cols = 1;
  for (size_t i = 0; i < ng; ++i) {
    if (x.dims[nx - ng + i] != g.dims[i]) return false;
    *cols *= g.dims[i];
  }
  *rows = *cols ? x.numel() / *cols : 0;
  return true;
}

// For SwiGlu: x split in halves along `dim` -> outer, half, inner sizes.
bool split_halves(const TensorDesc& x, int64_t dim, int64_t* outer, int64_t* half, int64_t* inner) {
  int64_t d = norm_dim(dim, x.dims.size());
  if (d < 0 || x.dims[d] % 2) return false;
  *outer = *inner = 1;
  for (int64_t i = 0; i < d; ++i) *outer *= x.dims[i];
  for (size_t i = d + 1; i < x.dims.size(); ++i) *inner *= x.dims[i];
  *half = x.dims[d] / 2;
  return true;
}

}  // namespace

extern "C" {

aclnnStatus aclnnRmsNormGetWorkspaceSize(const aclTensor* x, const aclTensor* gamma,
                                         double epsilon, const aclTensor* yOut,
                                         const aclTensor* rstdOut, uint64_t* ws,
                                         aclOpExecutor** ex) {
  const char* op = "RmsNorm";
  SIM_CHECK(op, x);
  SIM_CHECK(op, gamma);
  SIM_CHECK(op, yOut);
  SIM_CHECK(op, rstdOut);
  TensorDesc dx = desc(x), dg = desc(gamma), dy = desc(yOut), dr = desc(rstdOut);
  int64_t rows, cols;
  SIM_REQUIRE(op, split_rows(dx, dg, &rows, &cols), "gamma must match the trailing dims of x");
  SIM_REQUIRE(op, dy.dims == dx.dims, "yOut shape differs from x");
  SIM_REQUIRE(op, dr.dtype == ACL_FLOAT, "rstdOut must be FLOAT32");
  std::vector<int64_t> rdims = dx.dims;
  for (size_t i = dx.dims.size() - dg.dims.size(); i < rdims.size(); ++i) rdims[i] = 1;
  SIM_REQUIRE(op, dr.dims == rdims, "rstdOut must have x's rank with normalised dims = 1");
  return make_executor(op, 512, [=] {
    auto v = read(dx), g = read(dg);
    std::vector<double> r(static_cast<size_t>(rows));
    for (int64_t i = 0; i < rows; ++i) {
      double ss = 0;
      for (int64_t j = 0; j < cols; ++j) ss += v[i * cols + j] * v[i * cols + j];
      r[i] = 1.0 / std::sqrt(ss / static_cast<double>(cols) + epsilon);
      for (int64_t j = 0; j < cols; ++j) v[i * cols + j] *= r[i] * g[j];
    }
    write(dy, v);
    write(dr, r);
  }, ws, ex);
}

aclnnStatus aclnnRmsNormGradGetWorkspaceSize(const aclTensor* dy, const aclTensor* x,
                                             const aclTensor* rstd, const aclTensor* gamma,
                                             const aclTensor* dxOut, const aclTensor* dgammaOut,
                                             uint64_t* ws, aclOpExecutor** ex) {
  const char* op = "RmsNormGrad";
  SIM_CHECK(op, dy);
  SIM_CHECK(op, x);
  SIM_CHECK(op, rstd);
  SIM_CHECK(op, gamma);
  SIM_CHECK(op, dxOut);
  SIM_CHECK(op, dgammaOut);
  TensorDesc ddy = desc(dy), dx = desc(x), dr = desc(rstd), dg = desc(gamma), ddx = desc(dxOut),
             ddg = desc(dgammaOut);
  int64_t rows, cols;
  SIM_REQUIRE(op, split_rows(dx, dg, &rows, &cols), "gamma must match the trailing dims of x");
  SIM_REQUIRE(op, ddy.dims == dx.dims && ddx.dims == dx.dims, "dy / dxOut shapes differ from x");
  SIM_REQUIRE(op, dr.numel() == rows && dr.dtype == ACL_FLOAT, "rstd must be FLOAT32 with one value per row");
  SIM_REQUIRE(op, ddg.dims == dg.dims && ddg.dtype == ACL_FLOAT, "dgammaOut must be FLOAT32 shaped like gamma");
  return make_executor(op, 512, [=] {
    auto vdy = read(ddy), vx = read(dx), r = read(dr), g = read(dg);
    std::vector<double> vdx(vx.size()), vdg(static_cast<size_t>(cols), 0.0);
    for (int64_t i = 0; i < rows; ++i) {
      double dot = 0;
      for (int64_t j = 0; j < cols; ++j) dot += g[j] * vdy[i * cols + j] * vx[i * cols + j];
      double c = dot * r[i] * r[i] * r[i] / static_cast<double>(cols);
      for (int64_t j = 0; j < cols; ++j) {
        size_t k = static_cast<size_t>(i * cols + j);
        vdx[k] = r[i] * g[j] * vdy[k] - vx[k] * c;
        vdg[j] += vdy[k] * vx[k] * r[i];
      }
    }
    write(ddx, vdx);
    write(ddg, vdg);
  }, ws, ex);
}

aclnnStatus aclnnSwiGluGetWorkspaceSize(const aclTensor* x, int64_t dim, const aclTensor* out,
                                        uint64_t* ws, aclOpExecutor** ex) {
  const char* op = "SwiGlu";
  SIM_CHECK(op, x);
  SIM_CHECK(op, out);
  TensorDesc dx = desc(x), dout = desc(out);
  int64_t outer, half, inner;
  SIM_REQUIRE(op, split_halves(dx, dim, &outer, &half, &inner), "dim must be valid and even-sized");
  SIM_REQUIRE(op, dout.numel() == outer * half * inner, "out must be x with dim halved");
  return make_executor(op, 0, [=] {
    auto v = read(dx);
    std::vector<double> o(static_cast<size_t>(outer * half * inner));
    for (int64_t p = 0; p < outer; ++p)
      for (int64_t h = 0; h < half; ++h)
        for (int64_t q = 0; q < inner; ++q) {
          double a = v[(p * 2 * half + h) * inner + q], b = v[(p * 2 * half + half + h) * inner + q];
          o[(p * half + h) * inner + q] = a * sigmoid(a) * b;
        }
    write(dout, o);
  }, ws, ex);
}

aclnnStatus aclnnSwiGluGradGetWorkspaceSize(const aclTensor* yGrad, const aclTensor* x,
                                            int64_t dim, const aclTensor* out, uint64_t* ws,
                                            aclOpExecutor** ex) {
  const char* op = "SwiGluGrad";
  SIM_CHECK(op, yGrad);
  SIM_CHECK(op, x);
  SIM_CHECK(op, out);
  TensorDesc dy = desc(yGrad), dx = desc(x), dout = desc(out);
  int64_t outer, half, inner;
  SIM_REQUIRE(op, split_halves(dx, dim, &outer, &half, &inner), "dim must be valid and even-sized");
  SIM_REQUIRE(op, dy.numel() == outer * half * inner && dout.dims == dx.dims,
              "yGrad must be x with dim halved; out shaped like x");
  return make_executor(op, 0, [=] {
    auto v = read(dx), g = read(dy);
    std::vector<double> o(v.size());
    for (int64_t p = 0; p < outer; ++p)
      for (int64_t h = 0; h < half; ++h)
        for (int64_t q = 0; q < inner; ++q) {
          size_t ia = static_cast<size_t>((p * 2 * half + h) * inner + q);
          size_t ib = static_cast<size_t>((p * 2 * half + half + h) * inner + q);
          double a = v[ia], b = v[ib], s = sigmoid(a), gy = g[(p * half + h) * inner + q];
          o[ia] = gy * b * s * (1.0 + a * (1.0 - s));
          o[ib] = gy * a * s;
        }
    write(dout, o);
  }, ws, ex);
}

aclnnStatus aclnnEmbeddingGetWorkspaceSize(const aclTensor* weight, const aclTensor* indices,
                                           const aclTensor* out, uint64_t* ws, aclOpExecutor** ex) {
  const char* op = "Embedding";
  SIM_CHECK(op, weight);
  SIM_CHECK(op, indices);
  SIM_CHECK(op, out);
  TensorDesc dw = desc(weight), di = desc(indices), dout = desc(out);
  SIM_REQUIRE(op, dw.dims.size() == 2, "weight must be 2-D");
  SIM_REQUIRE(op, di.dtype == ACL_INT32 || di.dtype == ACL_INT64, "indices must be INT32 or INT64");
  std::vector<int64_t> odims = di.dims;
  odims.push_back(dw.dims[1]);
  SIM_REQUIRE(op, dout.dims == odims, "out must be indices.shape + [H]");
  return make_executor(op, 0, [=] {
    auto w = read(dw), idx = read(di);
    int64_t V = dw.dims[0], H = dw.dims[1];
    std::vector<double> o;
    o.reserve(idx.size() * static_cast<size_t>(H));
    for (double id : idx) {
      int64_t r = static_cast<int64_t>(id);
      if (r < 0 || r >= V)
        throw Fault{ACL_ERROR_RT_AICORE_EXCEPTION,
                    "EZ9999: aclnnEmbedding: index " + std::to_string(r) + " out of range [0, " +
                        std::to_string(V) + ") — the aicore execution is abnormal"};
      o.insert(o.end(), w.begin() + r * H, w.begin() + (r + 1) * H);
    }
    write(dout, o);
  }, ws, ex);
}

aclnnStatus aclnnEmbeddingDenseBackwardGetWorkspaceSize(const aclTensor* grad,
                                                        const aclTensor* indices,
                                                        uint64_t numWeights, uint64_t paddingIdx,
                                                        bool scaleGradByFreq, const aclTensor* out,
                                                        uint64_t* ws, aclOpExecutor** ex) {
  const char* op = "EmbeddingDenseBackward";
  SIM_CHECK(op, grad);
  SIM_CHECK(op, indices);
  SIM_CHECK(op, out);
  TensorDesc dg = desc(grad), di = desc(indices), dout = desc(out);
  SIM_REQUIRE(op, dout.dims.size() == 2 && dout.dims[0] == static_cast<int64_t>(numWeights),
              "out must be [numWeights, H]");
  int64_t H = dout.dims[1];
  SIM_REQUIRE(op, dg.numel() == di.numel() * H, "grad must be indices.shape + [H]");
  SIM_REQUIRE(op, !scaleGradByFreq, "the simulator implements scaleGradByFreq = false");
  return make_executor(op, 1024, [=] {
    auto g = read(dg), idx = read(di);
    std::vector<double> o(static_cast<size_t>(numWeights * H), 0.0);
    for (size_t n = 0; n < idx.size(); ++n) {
      auto r = static_cast<uint64_t>(static_cast<int64_t>(idx[n]));
      if (r == paddingIdx || r >= numWeights) continue;
      for (int64_t h = 0; h < H; ++h) o[r * H + h] += g[n * H + h];
    }
    write(dout, o);
  }, ws, ex);
}

}  // extern "C"

SIM_PHASE2(RmsNorm)
SIM_PHASE2(RmsNormGrad)
SIM_PHASE2(SwiGlu)
SIM_PHASE2(SwiGluGrad)
SIM_PHASE2(Embedding)
SIM_PHASE2(EmbeddingDenseBackward)
