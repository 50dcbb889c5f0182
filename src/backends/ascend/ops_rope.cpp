// Rotary position embedding on the NPU, composed from elementwise aclnn
// kernels: angles = positions x inv_freq (aclnnMul), aclnnCos / aclnnSin,
// then y1 = x1 cos - x2 sin, y2 = x2 cos + x1 sin over the two halves (or the
// even / odd lanes when interleaved) as strided views, so no rotated copy of x
// is built. This runs on every CANN version; the fused
// aclnnRotaryPositionEmbedding (absent from CANN 8.0.RC1) is not used yet.
#include <cmath>

#include "aclnnop/aclnn_add.h"
#include "aclnnop/aclnn_cast.h"
#include "aclnnop/aclnn_cos.h"
#include "aclnnop/aclnn_mul.h"
#include "aclnnop/aclnn_sin.h"
#include "aclnnop/aclnn_sub.h"
#include "backends/ascend/backend.h"
#include "backends/ascend/kernels.h"

namespace lf::ascend {

using k::dev;

void AscendBackend::rope(const Tensor& x, const Tensor& positions, const ops::RopeParams& p,
                         bool inverse, Tensor& y) {
  const int64_t B = x.size(0), T = x.size(1), H = x.size(2), D = x.size(3);
  const int64_t r = p.rotary_dim ? p.rotary_dim : D, half = r / 2;
  std::vector<float> inv(static_cast<size_t>(half));
  for (int64_t i = 0; i < half; ++i)
    inv[i] = p.inv_freq ? p.inv_freq[i]
                        : std::pow(p.theta, -2.0f * static_cast<float>(i) / static_cast<float>(r));
  Tensor inv_freq = Tensor::from_vector(inv, {half}, DType::f32, x.device());

  Tensor pos = k::like(x, {B, T, 1}, DType::f32);
  {
    AclTensor src = k::reshaped(positions, {B, T, 1}), dst(pos);
    LF_ACLNN(dev(x), Cast, src.get(), ACL_FLOAT, dst.get());
  }
  Tensor ang = k::like(x, {B, T, half}, DType::f32);
  k::mul(pos, inv_freq, ang);
  Tensor c = k::like(x, {B, T, 1, half}, DType::f32), s = k::like(x, {B, T, 1, half}, DType::f32);
  {
    AclTensor ta = k::reshaped(ang, {B, T, 1, half}), tc(c), ts(s);
    LF_ACLNN(dev(x), Cos, ta.get(), tc.get());
    LF_ACLNN(dev(x), Sin, ta.get(), ts.get());
  }
  if (p.attention_factor != 1.0f) {
    k::inplace_muls(c, p.attention_factor);
    k::inplace_muls(s, p.attention_factor);
  }
  if (inverse) k::inplace_muls(s, -1.0);

  // The two rotated lane sets of x and y, as views with element strides.
  Shape dims{B, T, H, half};
  Shape xs = x.strides(), ys = y.strides();
  int64_t step = p.interleaved ? 2 : 1, second = p.interleaved ? 1 : half;
  Shape xst = xs, yst = ys;
  xst.back() *= step;
  yst.back() *= step;
  AclTensor x1(x, dims, xst, x.offset()), x2(x, dims, xst, x.offset() + second * xs.back());
  AclTensor y1(y, dims, yst, y.offset()), y2(y, dims, yst, y.offset() + second * ys.back());

  Tensor a = k::like(x, dims, DType::f32), b = k::like(x, dims, DType::f32),
         e = k::like(x, dims, DType::f32), f = k::like(x, dims, DType::f32);
  AclTensor tc(c), ts(s), ta(a), tb(b), te(e), tf(f);
  LF_ACLNN(dev(x), Mul, x1.get(), tc.get(), ta.get());  // x1 cos
  LF_ACLNN(dev(x), Mul, x2.get(), ts.get(), tb.get());  // x2 sin
  LF_ACLNN(dev(x), Mul, x2.get(), tc.get(), te.get());  // x2 cos
  LF_ACLNN(dev(x), Mul, x1.get(), ts.get(), tf.get());  // x1 sin
  AclScalar one(1.0);
  LF_ACLNN(dev(x), Sub, ta.get(), tb.get(), one.get(), y1.get());
  LF_ACLNN(dev(x), Add, te.get(), tf.get(), one.get(), y2.get());
  if (r < D) {
    Tensor rest_y = y.slice(-1, r, D);
    k::copy(x.slice(-1, r, D), rest_y);
  }
}

}  // namespace lf::ascend
