// The CPU attention's two tile paths called directly on bf16 inputs. Through
// the ops API the bf16 path only runs on CPUs with AVX-512 BF16; here it runs
// everywhere (elsewhere on its scalar loops) on the cases that reach its edges:
// odd lengths, small head dims, GQA, packed segments, kv_lens.
#include <gtest/gtest.h>

#include "backends/cpu/cpu_attention.h"
#include "cases.h"

namespace lf::test {
namespace {

struct Got {
  Tensor out, lse, dq, dk, dv;
};

Got run_tiles(bool bf16, const AttnIn& in) {
  const DType dt = DType::bf16;
  Tensor q = make(in.q, {in.B, in.Tq, in.Hq, in.D}, dt),
         k = make(in.k, {in.B, in.Tk, in.Hkv, in.D}, dt);
  Tensor v = make(in.v, k.shape(), dt), dout = make(in.dout, q.shape(), dt);
  ops::AttentionParams p;
  p.causal = in.causal;
  if (!in.qseg.empty()) {
    p.q_segments = make_ints(in.qseg, {in.B, in.Tq}, DType::i32);
    p.k_segments = make_ints(in.kseg, {in.B, in.Tk}, DType::i32);
  }
  if (!in.kv_lens.empty()) p.kv_lens = make_ints(in.kv_lens, {in.B}, DType::i32);
  const cpu::attn::Geometry g(q, k, p);
  Got r{Tensor::empty(q.shape(), dt), Tensor::empty({in.B, in.Hq, in.Tq}, DType::f32),
        Tensor::empty(q.shape(), dt), Tensor::empty(k.shape(), dt), Tensor::empty(k.shape(), dt)};
  if (bf16) {
    cpu::attn::forward_bf16(g, q, k, v, r.out, r.lse);
    cpu::attn::backward_bf16(g, dout, q, k, v, r.out, r.lse, r.dq, r.dk, r.dv);
  } else {
    cpu::attn::forward_f32(g, q, k, v, r.out, r.lse);
    cpu::attn::backward_f32(g, dout, q, k, v, r.out, r.lse, r.dq, r.dk, r.dv);
  }
  return r;
}

TEST(AttentionTiles, Bf16TilesMatchReference) {
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    const AttnIn in = attention_in(DType::bf16, seed);
    const auto want = ref::attention(in.q, in.k, in.v, in.dout, in.B, in.Tq, in.Tk, in.Hq, in.Hkv,
                                     in.D, in.causal, in.qseg, in.kseg, in.kv_lens);
    const Got got = run_tiles(true, in);
    const Tol tol = tol_for(DType::bf16);
    EXPECT_TRUE(all_close(got.out.to_floats(), want.out, tol)) << "seed " << seed;
    EXPECT_TRUE(all_close(got.lse.to_floats(), want.lse, {1e-4, 1e-4})) << "seed " << seed;
    EXPECT_TRUE(all_close(got.dq.to_floats(), want.dq, tol)) << "seed " << seed;
    EXPECT_TRUE(all_close(got.dk.to_floats(), want.dk, tol)) << "seed " << seed;
    EXPECT_TRUE(all_close(got.dv.to_floats(), want.dv, tol)) << "seed " << seed;
  }
}

}  // namespace
}  // namespace lf::test
