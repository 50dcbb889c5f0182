// f32 vectors for the streaming row kernels, written with GCC vector
// extensions rather than intrinsics: a vf is the target's widest register (16
// lanes with AVX-512, 8 with AVX, 4 with SSE2 or NEON), so the same source
// builds on any x86-64 or aarch64. Kernels read bf16 or f32 straight from the
// tensor into registers instead of staging rows in f32 buffers, which halves
// their L1 traffic and the instructions per element.
#pragma once
#include <cstdint>
#include <cstring>

#include "backends/cpu/cpu_convert.h"

namespace lf::cpu {

// Wider than the registers, GCC would split every operation and warn that
// such vectors change the calling convention (-Wpsabi).
#if defined(__AVX512F__)
constexpr int64_t kLanes = 16;
#elif defined(__AVX__)
constexpr int64_t kLanes = 8;
#else
constexpr int64_t kLanes = 4;
#endif
using vf = float __attribute__((vector_size(kLanes * 4)));
using vi32 = int32_t __attribute__((vector_size(kLanes * 4)));
using vu32 = uint32_t __attribute__((vector_size(kLanes * 4)));
using vu64 = uint64_t __attribute__((vector_size(kLanes * 4)));
using vu16 = uint16_t __attribute__((vector_size(kLanes * 2)));

inline vf splat(float s) { return vf{} + s; }

// Full vectors (memcpy: the rows carry no alignment guarantee).
inline vf vload(const float* p) {
  vf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
// bf16 -> f32 puts the bf16 bits in the upper half of each 32-bit lane. With
// AVX-512 that is one word shuffle against zeros; GCC would split the
// widening conversion into 256-bit halves and spend four instructions.
inline vf vload(const uint16_t* p) {
  vu16 h;
  std::memcpy(&h, p, sizeof h);
#if defined(__AVX512F__)
  return reinterpret_cast<vf>(__builtin_shufflevector(vu16{}, h, 0, 16, 0, 17, 0, 18, 0, 19, 0, 20,
                                                      0, 21, 0, 22, 0, 23, 0, 24, 0, 25, 0, 26, 0,
                                                      27, 0, 28, 0, 29, 0, 30, 0, 31));
#else
  return reinterpret_cast<vf>(__builtin_convertvector(h, vu32) << 16);
#endif
}
inline void vstore(float* p, vf v) { std::memcpy(p, &v, sizeof v); }
// Round to nearest even; NaN stays a quiet NaN (as f32_to_bf16). CPUs with
// avx512_bf16 do this in one instruction (which also flushes f32 subnormals,
// below 1.2e-38, to zero); the portable bit arithmetic costs about eight. The
// builtin is GCC's spelling, hence the compiler check.
inline void vstore(uint16_t* p, vf v) {
#if defined(__AVX512BF16__) && !defined(__clang__)
  const vu16 h = reinterpret_cast<vu16>(__builtin_ia32_cvtneps2bf16_v16sf(v));
#else
  const vu32 u = reinterpret_cast<vu32>(v);
  const vu32 rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  const vu32 bits = (u & 0x7fffffffu) > 0x7f800000u ? (u >> 16) | 0x40u : rounded;
  const vu16 h = __builtin_convertvector(bits, vu16);
#endif
  std::memcpy(p, &h, sizeof h);
}

inline float to_f32(float x) { return x; }
inline float to_f32(uint16_t x) { return bf16_to_f32(x); }
inline void from_f32(float x, float* p) { *p = x; }
inline void from_f32(float x, uint16_t* p) { *p = f32_to_bf16(x); }

// The first n (<= kLanes) elements; the other lanes hold `fill`, chosen so they
// drop out of the kernel's reduction (0 for sums, -inf for max / exp sums).
template <typename T>
vf vload(const T* p, int64_t n, float fill) {
  if (n == kLanes) return vload(p);
  float t[kLanes];
  for (int64_t k = 0; k < kLanes; ++k) t[k] = k < n ? to_f32(p[k]) : fill;
  return vload(t);
}
template <typename T>
void vstore(T* p, vf v, int64_t n) {
  if (n == kLanes) return vstore(p, v);
  float t[kLanes];
  vstore(t, v);
  for (int64_t k = 0; k < n; ++k) from_f32(t[k], p + k);
}

inline float hsum(vf v) {
  float s = 0.0f;
  for (int64_t k = 0; k < kLanes; ++k) s += v[k];
  return s;
}
inline float hmax(vf v) {
  float m = v[0];
  for (int64_t k = 1; k < kLanes; ++k) m = m > v[k] ? m : v[k];
  return m;
}

// Calls f(i, n) for each run of n = kLanes elements of [0, len), then once for
// the shorter tail; n is a constant in the main loop once f is inlined.
template <typename F>
void for_lanes(int64_t len, F&& f) {
  int64_t i = 0;
  for (; i + kLanes <= len; i += kLanes) f(i, kLanes);
  if (i < len) f(i, len - i);
}

// combine() of f(i, n) over the runs of [0, len), into four independent
// accumulators so that consecutive vectors do not wait on each other's add
// latency (a single chain runs at a quarter of the adder's throughput).
template <typename F, typename C>
vf reduce_lanes(int64_t len, vf init, F&& f, C&& combine) {
  vf a0 = init, a1 = init, a2 = init, a3 = init;
  int64_t i = 0;
  for (; i + 4 * kLanes <= len; i += 4 * kLanes) {
    a0 = combine(a0, f(i, kLanes));
    a1 = combine(a1, f(i + kLanes, kLanes));
    a2 = combine(a2, f(i + 2 * kLanes, kLanes));
    a3 = combine(a3, f(i + 3 * kLanes, kLanes));
  }
  for (; i < len; i += kLanes) a0 = combine(a0, f(i, len - i < kLanes ? len - i : kLanes));
  return combine(combine(a0, a1), combine(a2, a3));
}
template <typename F>
float sum_lanes(int64_t len, F&& f) {
  return hsum(reduce_lanes(len, vf{}, f, [](vf a, vf b) { return a + b; }));
}

}  // namespace lf::cpu
