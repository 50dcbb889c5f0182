#include "bench_util.h"

#include <random>
#include <vector>

namespace lf::bench {

Tensor random_tensor(const Shape& shape, DType dtype, float scale) {
  std::mt19937 rng(42);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  for (float& x : v) x = dist(rng);
  return Tensor::from_vector(v, shape, dtype);
}

double copy_seconds() {
  const int64_t n = int64_t(1) << 24;  // far beyond the caches
  static std::vector<float> src(n, 1.0f), dst(n, 0.0f);
  const double s = seconds_of([&] {
    float* d = dst.data();
    const float* in = src.data();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) d[i] = in[i];
  });
  benchmark::DoNotOptimize(dst.data());
  return s;
}

}  // namespace lf::bench
