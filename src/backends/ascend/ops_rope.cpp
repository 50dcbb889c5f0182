// Rotary position embedding on the NPU. Angles = positions x inv_freq
// (aclnnMul), then aclnnCos / aclnnSin. Then, in order of preference:
//  1. aclnnApplyRotaryPosEmb (aclnnop/aclnn_apply_rotary_pos_emb.h, in CANN
//     8.0.RC1; reference §3.1, §3.4): the fused RoPE of 8.0.RC1. It rotates a
//     query and a key tensor in place, half rotation only, layout BSND, head
//     dim 128, Atlas A2 / A3. For our one tensor it rotates y = copy of x,
//     passing heads [0, H-1) as the query and head H-1 as the key (two
//     disjoint views; with one head the key is a scratch copy);
//  2. aclnnRotaryPositionEmbedding (mode 0 half, 1 interleave), when the whole
//     head dim rotates and CANN has it (absent from 8.0.RC1 and from 8.1.RC1's
//     public headers, so it is resolved with dlsym and its prototype restated);
//  3. the documented fallback: y1 = x1 cos - x2 sin, y2 = x2 cos + x1 sin over
//     the two halves (or the even / odd lanes when interleaved) as strided
//     views, and the tail copied.
#include <dlfcn.h>

#include <algorithm>
#include <cmath>

#include "aclnnop/aclnn_add.h"
#include "aclnnop/aclnn_apply_rotary_pos_emb.h"
#include "aclnnop/aclnn_cast.h"
#include "aclnnop/aclnn_copy.h"
#include "aclnnop/aclnn_cos.h"
#include "aclnnop/aclnn_mul.h"
#include "aclnnop/aclnn_sin.h"
#include "aclnnop/aclnn_sub.h"
#include "backends/ascend/backend.h"
#include "backends/ascend/kernels.h"
#include "backends/ascend/runtime.h"

namespace lf::ascend {

using k::dev;

namespace {

// aclnnApplyRotaryPosEmb's unified-buffer need for Nq + Nk heads of 128
// (CANN ops-transformer docs/aclnnApplyRotaryPosEmb.md: bytes =
// n*128*c*5 + 128*e*4 + (bf16 ? 1024 : 0), c = 4 for bf16 else the element
// size e); the kernel refuses shapes over the 192 KB UB of an Atlas A2 / A3 core.
bool apply_rope_fits(int64_t heads, DType t) {
  const int64_t e = static_cast<int64_t>(dtype_size(t)), c = t == DType::bf16 ? 4 : e;
  const int64_t bytes = heads * 128 * c * 5 + 128 * e * 4 + (t == DType::bf16 ? 1024 : 0);
  return bytes <= 192 * 1024;
}

using RopePhase1 = aclnnStatus (*)(const aclTensor* x, const aclTensor* cos, const aclTensor* sin,
                                   int64_t mode, aclTensor* out, uint64_t* workspace_size,
                                   aclOpExecutor** executor);

struct FusedRope {
  RopePhase1 phase1 = nullptr;
  Phase2 phase2 = nullptr;
};

// aclnnRotaryPositionEmbedding(GetWorkspaceSize), or nullptrs on CANN without it.
const FusedRope& fused_rope() {
  static const FusedRope f = [] {
    FusedRope r;
    r.phase1 = reinterpret_cast<RopePhase1>(
        dlsym(RTLD_DEFAULT, "aclnnRotaryPositionEmbeddingGetWorkspaceSize"));
    r.phase2 = reinterpret_cast<Phase2>(dlsym(RTLD_DEFAULT, "aclnnRotaryPositionEmbedding"));
    return r;
  }();
  return f;
}

// cos or sin [B, T, 1, half] spread over the full head dim in x's dtype:
// [c, c] for half rotation, c repeated per lane pair when interleaved.
Tensor full_table(const Tensor& t, const Tensor& x, bool interleaved) {
  const int64_t B = t.size(0), T = t.size(1), half = t.size(3), D = 2 * half;
  Tensor full = k::like(x, {B, T, 1, D}, x.dtype());
  const Shape dims{B, T, 1, half};
  const Shape strides{T * D, D, D, interleaved ? 2 : 1};
  AclTensor src(t);
  for (int64_t part = 0; part < 2; ++part) {
    AclTensor dst(full, dims, strides, part * (interleaved ? 1 : half));
    LF_ACLNN(dev(x), InplaceCopy, dst.get(), src.get());
  }
  return full;
}

}  // namespace

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

  if (!p.interleaved && r == D && D == 128 && runtime().bf16_supported() &&
      apply_rope_fits(std::max<int64_t>(H, 2), x.dtype())) {
    Tensor cf = full_table(c, x, false), sf = full_table(s, x, false);
    k::copy(x, y);
    const Shape& st = y.strides();
    Tensor scratch;
    AclTensor query, key;
    if (H >= 2) {
      query = AclTensor(y, {B, T, H - 1, D}, st, y.offset());
      key = AclTensor(y, {B, T, 1, D}, st, y.offset() + (H - 1) * st[2]);
    } else {
      scratch = k::like(x, {B, T, 1, D}, x.dtype());
      k::copy(x, scratch);
      query = AclTensor(y);
      key = AclTensor(scratch);
    }
    AclTensor tc(cf), ts(sf);
    constexpr int64_t kBsnd = 1;
    LF_ACLNN(dev(x), ApplyRotaryPosEmb, query.get(), key.get(), tc.get(), ts.get(), kBsnd);
    return;
  }

  const FusedRope& fused = fused_rope();
  if (fused.phase1 && fused.phase2 && r == D) {
    Tensor cf = full_table(c, x, p.interleaved), sf = full_table(s, x, p.interleaved);
    AclTensor tx(x), tc(cf), ts(sf), ty(y);
    const int64_t mode = p.interleaved ? 1 : 0;
    launch(dev(x), "aclnnRotaryPositionEmbedding",
           [&](uint64_t* ws, aclOpExecutor** ex) {
             return fused.phase1(tx.get(), tc.get(), ts.get(), mode, ty.get(), ws, ex);
           },
           fused.phase2);
    return;
  }

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
