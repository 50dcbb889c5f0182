// Conformance of the mask shapes that accelerators route to dedicated kernels
// (on Ascend: the TND varlen FlashAttention for packed segments and kv_lens,
// ApplyRotaryPosEmb for 128-wide heads), with fixed shapes so that every case
// takes its path: each runs on the CPU against the plain reference, and on
// every visible accelerator against the CPU, in f32 and bf16.
#include <gtest/gtest.h>

#include "cases.h"
#include "core/runtime.h"

namespace lf::test {
namespace {

struct AttnSpec {
  const char* name;
  int64_t B, Tq, Tk, Hq, Hkv, D;
  bool causal;
  // Per row: run lengths of segment ids (ids 0, 1, 2, ... in order), or, with
  // `reuse`, ids that cycle 0, 1, 0, 1 (a segment split in two runs).
  std::vector<std::vector<int64_t>> runs;
  bool reuse = false;
  std::vector<int64_t> kv_lens;
};

AttnIn make_in(const AttnSpec& s, DType dt, uint64_t seed) {
  AttnIn in;
  in.B = s.B, in.Tq = s.Tq, in.Tk = s.Tk, in.Hq = s.Hq, in.Hkv = s.Hkv, in.D = s.D;
  in.causal = s.causal;
  in.q = randn(s.B * s.Tq * s.Hq * s.D, seed + 1, 1.0f, dt);
  in.k = randn(s.B * s.Tk * s.Hkv * s.D, seed + 2, 1.0f, dt);
  in.v = randn(s.B * s.Tk * s.Hkv * s.D, seed + 3, 1.0f, dt);
  in.dout = randn(s.B * s.Tq * s.Hq * s.D, seed + 4, 1.0f, dt);
  for (const auto& row : s.runs)
    for (size_t r = 0; r < row.size(); ++r)
      for (int64_t t = 0; t < row[r]; ++t) in.qseg.push_back(s.reuse ? int64_t(r % 2) : int64_t(r));
  in.kseg = in.qseg;
  in.kv_lens = s.kv_lens;
  return in;
}

Case attention_spec_case(const AttnSpec& s) {
  return {s.name,
          [s](Device d, DType dt, uint64_t seed) {
            AttnIn in = make_in(s, dt, seed);
            Tensor q = make(in.q, {in.B, in.Tq, in.Hq, in.D}, dt, d);
            Tensor k = make(in.k, {in.B, in.Tk, in.Hkv, in.D}, dt, d);
            Tensor v = make(in.v, {in.B, in.Tk, in.Hkv, in.D}, dt, d);
            ops::AttentionParams p;
            p.causal = in.causal;
            if (!in.qseg.empty()) {
              p.q_segments = make_ints(in.qseg, {in.B, in.Tq}, DType::i32, d);
              p.k_segments = make_ints(in.kseg, {in.B, in.Tk}, DType::i32, d);
            }
            if (!in.kv_lens.empty()) p.kv_lens = make_ints(in.kv_lens, {in.B}, DType::i32, d);
            auto r = ops::attention(q, k, v, p);
            auto g = ops::attention_backward(make(in.dout, q.shape(), dt, d), q, k, v, r.out, r.lse, p);
            return host({{"out", r.out}, {"lse", r.lse}, {"dq", g.dq}, {"dk", g.dk}, {"dv", g.dv}});
          },
          [s](DType dt, uint64_t seed) {
            AttnIn in = make_in(s, dt, seed);
            auto r = ref::attention(in.q, in.k, in.v, in.dout, in.B, in.Tq, in.Tk, in.Hq, in.Hkv, in.D,
                                    in.causal, in.qseg, in.kseg, in.kv_lens);
            return Expected{{"out", r.out}, {"lse", r.lse}, {"dq", r.dq}, {"dk", r.dk}, {"dv", r.dv}};
          },
          {3e-2, 3e-2},
          {5e-5, 5e-4}};
}

// RoPE over 128-wide heads, half rotation (the fused ApplyRotaryPosEmb shape).
Case rope128_case(const char* name, int64_t heads) {
  constexpr int64_t B = 2, T = 5, D = 128;
  auto pos = [] {
    std::vector<int64_t> p;  // packed rows: positions restart part-way
    for (int64_t b = 0; b < B; ++b)
      for (int64_t t = 0; t < T; ++t) p.push_back(t < 3 ? t : t - 3 + 50 * b);
    return p;
  };
  return {name,
          [heads, pos](Device d, DType dt, uint64_t seed) {
            Tensor x = make(randn(B * T * heads * D, seed, 1.0f, dt), {B, T, heads, D}, dt, d);
            Tensor P = make_ints(pos(), {B, T}, DType::i32, d);
            ops::RopeParams p;
            return host({{"y", ops::rope(x, P, p)}, {"inv", ops::rope(x, P, p, true)}});
          },
          [heads, pos](DType dt, uint64_t seed) {
            Vec x = randn(B * T * heads * D, seed, 1.0f, dt);
            return Expected{{"y", ref::rope(x, pos(), B, T, heads, D, 10000.0, D, false)},
                            {"inv", ref::rope(x, pos(), B, T, heads, D, 10000.0, D, false, -1.0)}};
          },
          {2e-2, 2e-2},
          {1e-4, 1e-4}};
}

std::vector<Case> varlen_cases() {
  return {
      attention_spec_case({"packed_causal_gqa", 2, 37, 37, 6, 2, 16, true, {{10, 1, 20, 6}, {37}}, false, {}}),
      attention_spec_case({"packed_full", 2, 19, 19, 2, 2, 8, false, {{4, 15}, {1, 1, 17}}, false, {}}),
      attention_spec_case({"packed_reused_id", 1, 12, 12, 2, 1, 8, true, {{3, 4, 5}}, true, {}}),
      attention_spec_case({"kv_lens_causal", 2, 5, 37, 4, 2, 16, true, {}, false, {37, 20}}),
      attention_spec_case({"kv_lens_full", 3, 6, 30, 2, 1, 8, false, {}, false, {3, 30, 1}}),
      rope128_case("rope128_heads3", 3),
      rope128_case("rope128_heads1", 1),
  };
}

std::vector<Device> accelerator_devices() {
  ops::init_backends();
  std::vector<Device> out;
  for (DeviceType t : {DeviceType::npu, DeviceType::cuda}) {
    DeviceRuntime* rt = find_runtime(t);
    if (!rt) continue;
    for (int i = 0; i < rt->device_count(); ++i) out.push_back(Device{t, i});
  }
  return out;
}

void expect_outputs(const Outputs& got, const Expected& want, Tol tol) {
  for (const auto& [name, w] : want) {
    auto it = got.find(name);
    ASSERT_NE(it, got.end()) << "missing output " << name;
    EXPECT_TRUE(all_close(it->second, w, tol)) << "output " << name;
  }
}

class VarLenConformance : public ::testing::TestWithParam<Case> {};

TEST_P(VarLenConformance, CpuMatchesReference) {
  const Case& c = GetParam();
  for (DType dt : {DType::f32, DType::bf16})
    for (uint64_t seed : {5u, 6u}) {
      SCOPED_TRACE(std::string(dtype_name(dt)) + " seed " + std::to_string(seed));
      expect_outputs(c.run(Device::cpu(), dt, seed), c.reference(dt, seed),
                     dt == DType::f32 ? c.f32_tol : c.bf16_tol);
    }
}

TEST_P(VarLenConformance, AcceleratorsMatchCpu) {
  const std::vector<Device> devices = accelerator_devices();
  if (devices.empty()) GTEST_SKIP() << "no accelerator backend compiled in or no device visible";
  const Case& c = GetParam();
  for (const Device& d : devices)
    for (DType dt : {DType::f32, DType::bf16})
      for (uint64_t seed : {5u, 6u}) {
        SCOPED_TRACE(d.str() + " " + dtype_name(dt) + " seed " + std::to_string(seed));
        Outputs cpu = c.run(Device::cpu(), dt, seed);
        Expected want;
        for (const auto& [name, v] : cpu) want[name] = to_double(v);
        expect_outputs(c.run(d, dt, seed), want, dt == DType::f32 ? c.f32_tol : c.bf16_tol);
      }
}

INSTANTIATE_TEST_SUITE_P(Ops, VarLenConformance, ::testing::ValuesIn(varlen_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace lf::test
