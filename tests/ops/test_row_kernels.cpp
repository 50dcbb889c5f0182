// The vector row kernels (cpu_vec.h) run full vectors (4, 8 or 16 lanes), a
// 4-way unrolled reduction from four vectors on, and a padded tail: widths
// around those boundaries for every lane count, in each dtype, and with mixed
// dtypes (which take the f32-copy path of cpu_dispatch.h).
#include <gtest/gtest.h>

#include <cmath>

#include "backends/cpu/cpu_math.h"
#include "cases.h"

namespace lf::test {
namespace {

constexpr int64_t kWidths[] = {1, 15, 16, 17, 63, 64, 65, 130, 257};

TEST(RowKernels, RmsNormEveryWidth) {
  const int64_t N = 6;  // a block of 4 rows and 2 single rows in the backward kernel
  for (DType dt : {DType::f32, DType::bf16, DType::f16})
    for (DType gt : {dt, DType::f32})
      for (int64_t H : kWidths) {
        Vec x = randn(N * H, 1, 1.0f, dt), w = randn(H, 2, 1.0f, dt), dy = randn(N * H, 3, 1.0f, gt);
        Tensor X = make(x, {N, H}, dt), W = make(w, {H}, dt);
        auto r = ops::rms_norm(X, W, 1e-6f);
        Tensor dw = ops::zeros({H}, DType::f32, Device::cpu());
        Tensor dx = ops::rms_norm_backward(make(dy, {N, H}, gt), X, W, r.rstd, dw);
        auto want = ref::rms_norm(x, w, dy, N, H, 1e-6f);
        const Tol tol = tol_for(dt);
        const std::string at = std::string(dtype_name(dt)) + "/" + dtype_name(gt) + " H=" + std::to_string(H);
        EXPECT_TRUE(all_close(r.y.to_floats(), want.y, tol)) << at;
        EXPECT_TRUE(all_close(r.rstd.to_floats(), want.rstd, {1e-5, 1e-5})) << at;
        EXPECT_TRUE(all_close(dx.to_floats(), want.dx, tol)) << at;
        EXPECT_TRUE(all_close(dw.to_floats(), want.dw, tol)) << at;
      }
}

TEST(RowKernels, SwigluEveryLength) {
  // 2049 and 4113 cross the 2048-element parallel chunk.
  for (DType dt : {DType::f32, DType::bf16})
    for (DType ut : {dt, DType::f32})
      for (int64_t n : {1, 15, 16, 17, 65, 2049, 4113}) {
        Vec g = randn(n, 1, 3.0f, dt), u = randn(n, 2, 1.0f, ut), d = randn(n, 3, 1.0f, dt);
        Tensor G = make(g, {n}, dt), U = make(u, {n}, ut), dg, du;
        ops::swiglu_backward(make(d, {n}, dt), G, U, dg, du);
        DVec out(n), want_dg(n), want_du(n);
        for (int64_t i = 0; i < n; ++i) {
          out[i] = ref::silu(g[i]) * u[i];
          want_dg[i] = double(d[i]) * u[i] * ref::dsilu(g[i]);
          want_du[i] = double(d[i]) * ref::silu(g[i]);
        }
        const std::string at = std::string(dtype_name(dt)) + "/" + dtype_name(ut) + " n=" + std::to_string(n);
        EXPECT_TRUE(all_close(ops::swiglu(G, U).to_floats(), out, tol_for(dt))) << at;
        EXPECT_TRUE(all_close(dg.to_floats(), want_dg, tol_for(dt))) << at;
        EXPECT_TRUE(all_close(du.to_floats(), want_du, tol_for(ut))) << at;
      }
}

TEST(RowKernels, RopeEveryHeadWidth) {
  const int64_t B = 1, T = 4, heads = 2;
  std::vector<int64_t> pos{0, 1, 7, 300};
  for (DType dt : {DType::f32, DType::bf16})
    for (bool interleaved : {false, true})
      for (int64_t D : {2, 18, 32, 34, 64, 96, 128}) {
        const int64_t rot = D > 32 ? D - 16 : D;  // partial rotation leaves a tail to copy
        Vec x = randn(B * T * heads * D, 1, 1.0f, dt);
        ops::RopeParams p;
        p.rotary_dim = rot;
        p.interleaved = interleaved;
        Tensor y = ops::rope(make(x, {B, T, heads, D}, dt), make_ints(pos, {B, T}), p);
        const std::string at = std::string(dtype_name(dt)) + (interleaved ? " interleaved" : " half") +
                               " D=" + std::to_string(D);
        EXPECT_TRUE(all_close(y.to_floats(), ref::rope(x, pos, B, T, heads, D, p.theta, rot, interleaved),
                              tol_for(dt)))
            << at;
      }
}

// rope's angles reach position x 1 radian (tens of thousands): the vector
// sin/cos must reduce them as accurately as libm does for the same float angle.
TEST(RowKernels, SinCosMatchLibmOverLargeAngles) {
  double worst = 0.0;
  for (float a0 = -40000.0f; a0 < 40000.0f; a0 += 77.77f) {
    cpu::vf a;
    for (int64_t k = 0; k < cpu::kLanes; ++k) a[k] = a0 + 0.37f * static_cast<float>(k);
    cpu::vf s, c;
    cpu::sincos_approx(a, s, c);
    for (int64_t k = 0; k < cpu::kLanes; ++k) {
      worst = std::max(worst, std::abs(s[k] - std::sin(static_cast<double>(a[k]))));
      worst = std::max(worst, std::abs(c[k] - std::cos(static_cast<double>(a[k]))));
    }
  }
  EXPECT_LT(worst, 1e-6);
}

}  // namespace
}  // namespace lf::test
