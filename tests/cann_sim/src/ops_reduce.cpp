// Simulated reductions and indexing: ReduceSum, MaxDim, Gather, Arange, Topk,
// and Multinomial (an AI CPU kernel: CANN_SIM_FAULT=multinomial makes it fail
// with 507018 at synchronisation, the seed FAQ's error).
#include <algorithm>
#include <numeric>

#include "aclnnop/aclnn_arange.h"
#include "aclnnop/aclnn_gather.h"
#include "aclnnop/aclnn_max_dim.h"
#include "aclnnop/aclnn_multinomial.h"
#include "aclnnop/aclnn_reduce_sum.h"
#include "aclnnop/aclnn_topk.h"
#include "ops_common.h"

using namespace cann_sim;

namespace {

// Sizes around one dimension: outer x n x inner.
void around(const std::vector<int64_t>& dims, int64_t d, int64_t* outer, int64_t* n, int64_t* inner) {
  *outer = *inner = 1;
  for (int64_t i = 0; i < d; ++i) *outer *= dims[i];
  *n = dims[d];
  for (size_t i = d + 1; i < dims.size(); ++i) *inner *= dims[i];
}

}  // namespace

extern "C" {

aclnnStatus aclnnReduceSumGetWorkspaceSize(const aclTensor* self, const aclIntArray* dims,
                                           bool keepDims, aclDataType dtype, aclTensor* out,
                                           uint64_t* ws, aclOpExecutor** ex) {
  const char* op = "ReduceSum";
  SIM_CHECK(op, self);
  SIM_CHECK(op, out);
  if (!dims) return reject(ACLNN_ERR_PARAM_NULLPTR, "ReduceSum: dims is nullptr");
  TensorDesc dx = desc(self), dout = desc(out);
  std::vector<bool> reduced(dx.dims.size(), false);
  for (int64_t d : int_array(dims)) {
    int64_t nd = norm_dim(d, dx.dims.size());
    SIM_REQUIRE(op, nd >= 0, "dims out of range");
    reduced[nd] = true;
  }
  std::vector<int64_t> odims;
  for (size_t i = 0; i < dx.dims.size(); ++i) {
    if (!reduced[i]) odims.push_back(dx.dims[i]);
    else if (keepDims) odims.push_back(1);
  }
  SIM_REQUIRE(op, dout.dtype == dtype, "out's dtype differs from the dtype argument");
  SIM_REQUIRE(op, dout.dims == odims, "out shape does not match the reduction");
  return make_executor(op, 256, [=] {
    auto v = read(dx);
    std::vector<double> o(static_cast<size_t>(dout.numel()), 0.0);
    std::vector<int64_t> idx(dx.dims.size(), 0);
    for (double e : v) {
      int64_t oi = 0;
      for (size_t i = 0; i < idx.size(); ++i)
        if (!reduced[i]) oi = oi * dx.dims[i] + idx[i];
      o[oi] += e;
      for (size_t i = idx.size(); i-- > 0;) {
        if (++idx[i] < dx.dims[i]) break;
        idx[i] = 0;
      }
    }
    write(dout, o);
  }, ws, ex);
}

aclnnStatus aclnnMaxDimGetWorkspaceSize(const aclTensor* self, int64_t dim, bool keepdim,
                                        aclTensor* out, aclTensor* indices, uint64_t* ws,
                                        aclOpExecutor** ex) {
  const char* op = "MaxDim";
  SIM_CHECK(op, self);
  SIM_CHECK(op, out);
  SIM_CHECK(op, indices);
  TensorDesc dx = desc(self), dout = desc(out), di = desc(indices);
  int64_t d = norm_dim(dim, dx.dims.size());
  SIM_REQUIRE(op, d >= 0, "dim out of range");
  std::vector<int64_t> odims = dx.dims;
  if (keepdim) odims[d] = 1;
  else odims.erase(odims.begin() + d);
  SIM_REQUIRE(op, dout.dims == odims && di.dims == odims, "out / indices shapes do not match");
  SIM_REQUIRE(op, di.dtype == ACL_INT64, "indices must be INT64");
  return make_executor(op, 0, [=] {
    auto v = read(dx);
    int64_t outer, n, inner;
    around(dx.dims, d, &outer, &n, &inner);
    std::vector<double> o(static_cast<size_t>(outer * inner)), oi(o.size());
    for (int64_t p = 0; p < outer; ++p)
      for (int64_t q = 0; q < inner; ++q) {
        int64_t best = 0;
        for (int64_t k = 1; k < n; ++k)
          if (v[(p * n + k) * inner + q] > v[(p * n + best) * inner + q]) best = k;
        o[p * inner + q] = v[(p * n + best) * inner + q];
        oi[p * inner + q] = static_cast<double>(best);
      }
    write(dout, o);
    write(di, oi);
  }, ws, ex);
}

aclnnStatus aclnnGatherGetWorkspaceSize(const aclTensor* self, const int64_t dim,
                                        const aclTensor* index, aclTensor* out, uint64_t* ws,
                                        aclOpExecutor** ex) {
  const char* op = "Gather";
  SIM_CHECK(op, self);
  SIM_CHECK(op, index);
  SIM_CHECK(op, out);
  TensorDesc dx = desc(self), di = desc(index), dout = desc(out);
  int64_t d = norm_dim(dim, dx.dims.size());
  SIM_REQUIRE(op, d >= 0 && di.dims.size() == dx.dims.size(), "dim out of range or rank mismatch");
  SIM_REQUIRE(op, dout.dims == di.dims, "out must be shaped like index");
  SIM_REQUIRE(op, di.dtype == ACL_INT32 || di.dtype == ACL_INT64, "index must be INT32 or INT64");
  return make_executor(op, 0, [=] {
    auto v = read(dx), idx = read(di);
    std::vector<double> o(idx.size());
    std::vector<int64_t> pos(di.dims.size(), 0);
    std::vector<int64_t> xs(dx.dims.size(), 1);
    for (size_t i = dx.dims.size() - 1; i-- > 0;) xs[i] = xs[i + 1] * dx.dims[i + 1];
    for (size_t n = 0; n < idx.size(); ++n) {
      int64_t off = 0;
      for (size_t i = 0; i < pos.size(); ++i) {
        int64_t c = static_cast<int64_t>(i) == d ? static_cast<int64_t>(idx[n]) : pos[i];
        if (c < 0 || c >= dx.dims[i])
          throw Fault{ACL_ERROR_RT_AICORE_EXCEPTION, "EZ9999: aclnnGather: index out of range"};
        off += c * xs[i];
      }
      o[n] = v[off];
      for (size_t i = pos.size(); i-- > 0;) {
        if (++pos[i] < di.dims[i]) break;
        pos[i] = 0;
      }
    }
    write(dout, o);
  }, ws, ex);
}

aclnnStatus aclnnArangeGetWorkspaceSize(const aclScalar* start, const aclScalar* end,
                                        const aclScalar* step, aclTensor* out, uint64_t* ws,
                                        aclOpExecutor** ex) {
  const char* op = "Arange";
  if (!start || !end || !step) return reject(ACLNN_ERR_PARAM_NULLPTR, "Arange: nullptr scalar");
  SIM_CHECK(op, out);
  double a = scalar_value(start), b = scalar_value(end), s = scalar_value(step);
  TensorDesc dout = desc(out);
  SIM_REQUIRE(op, s != 0 && dout.dims.size() == 1 &&
                      dout.dims[0] == static_cast<int64_t>(std::ceil((b - a) / s)),
              "out must be 1-D with ceil((end - start) / step) elements");
  return make_executor(op, 0, [=] {
    std::vector<double> o(static_cast<size_t>(dout.dims[0]));
    for (size_t i = 0; i < o.size(); ++i) o[i] = a + s * static_cast<double>(i);
    write(dout, o);
  }, ws, ex);
}

aclnnStatus aclnnTopkGetWorkspaceSize(const aclTensor* self, int64_t k, int64_t dim, bool largest,
                                      bool sorted, aclTensor* valuesOut, aclTensor* indicesOut,
                                      uint64_t* ws, aclOpExecutor** ex) {
  const char* op = "Topk";
  SIM_CHECK(op, self);
  SIM_CHECK(op, valuesOut);
  SIM_CHECK(op, indicesOut);
  TensorDesc dx = desc(self), dv = desc(valuesOut), di = desc(indicesOut);
  int64_t d = norm_dim(dim, dx.dims.size());
  SIM_REQUIRE(op, d >= 0 && k >= 0 && k <= dx.dims[d], "dim or k out of range");
  std::vector<int64_t> odims = dx.dims;
  odims[d] = k;
  SIM_REQUIRE(op, dv.dims == odims && di.dims == odims, "values / indices shapes do not match");
  SIM_REQUIRE(op, di.dtype == ACL_INT64, "indices must be INT64");
  (void)sorted;  // the simulator always returns sorted results, which is allowed
  return make_executor(op, 2048, [=] {
    auto v = read(dx);
    int64_t outer, n, inner;
    around(dx.dims, d, &outer, &n, &inner);
    std::vector<double> ov(static_cast<size_t>(outer * k * inner)), oi(ov.size());
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t p = 0; p < outer; ++p)
      for (int64_t q = 0; q < inner; ++q) {
        std::iota(order.begin(), order.end(), 0);
        auto at = [&](int64_t j) { return v[(p * n + j) * inner + q]; };
        std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
          return largest ? at(x) > at(y) : at(x) < at(y);
        });
        for (int64_t j = 0; j < k; ++j) {
          ov[(p * k + j) * inner + q] = at(order[j]);
          oi[(p * k + j) * inner + q] = static_cast<double>(order[j]);
        }
      }
    write(dv, ov);
    write(di, oi);
  }, ws, ex);
}

aclnnStatus aclnnMultinomialGetWorkspaceSize(const aclTensor* self, int64_t numsamples,
                                             bool replacement, int64_t seed, int64_t offset,
                                             aclTensor* out, uint64_t* ws, aclOpExecutor** ex) {
  const char* op = "Multinomial";
  SIM_CHECK(op, self);
  SIM_CHECK(op, out);
  TensorDesc dp = desc(self), dout = desc(out);
  SIM_REQUIRE(op, dp.dims.size() == 2 && numsamples > 0 && replacement, "the simulator samples "
              "2-D probabilities with replacement");
  SIM_REQUIRE(op, dout.dtype == ACL_INT64 && dout.dims == std::vector<int64_t>({dp.dims[0], numsamples}),
              "out must be INT64 [rows, numsamples]");
  bool fail = fault_enabled("multinomial");
  return make_executor(op, 0, [=] {
    if (fail)
      throw Fault{ACL_ERROR_RT_AICPU_EXCEPTION,
                  "EZ9999: Inner Error! AICPU Kernel task happen error, retCode=0x2a. "
                  "rtDeviceSynchronize execute failed, reason=[aicpu exception] "
                  "(kernel Multinomial, simulated fault)."};
    auto p = read(dp);
    int64_t rows = dp.dims[0], n = dp.dims[1];
    std::vector<double> o;
    uint64_t state = static_cast<uint64_t>(seed) * 6364136223846793005ull + static_cast<uint64_t>(offset);
    for (int64_t r = 0; r < rows; ++r) {
      double total = std::accumulate(p.begin() + r * n, p.begin() + (r + 1) * n, 0.0);
      for (int64_t s = 0; s < numsamples; ++s) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        double u = static_cast<double>(state >> 11) / 9007199254740992.0 * total, acc = 0;
        int64_t j = 0;
        for (; j < n - 1; ++j) {
          acc += p[r * n + j];
          if (u < acc) break;
        }
        o.push_back(static_cast<double>(j));
      }
    }
    write(dout, o);
  }, ws, ex);
}

}  // extern "C"

SIM_PHASE2(ReduceSum)
SIM_PHASE2(MaxDim)
SIM_PHASE2(Gather)
SIM_PHASE2(Arange)
SIM_PHASE2(Topk)
SIM_PHASE2(Multinomial)
