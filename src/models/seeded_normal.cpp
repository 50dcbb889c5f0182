#include <cmath>
#include <numbers>
#include <vector>

#include "models/create_model.h"

namespace lf::models {

namespace {

// splitmix64: a tiny generator whose output is fixed by its definition.
uint64_t next(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double uniform_open(uint64_t& state) {  // (0, 1)
  return (static_cast<double>(next(state) >> 11) + 0.5) * 0x1.0p-53;
}

}  // namespace

std::vector<float> seeded_normal(uint64_t seed, const std::string& name, size_t n, float std) {
  uint64_t state = seed;
  for (unsigned char c : name) state = (state ^ c) * 0x100000001b3ull;  // FNV-1a over the name
  std::vector<float> out(n);
  for (size_t i = 0; i < n; i += 2) {  // Box-Muller: two normals per pair of uniforms
    double r = std::sqrt(-2.0 * std::log(uniform_open(state)));
    double a = 2.0 * std::numbers::pi * uniform_open(state);
    out[i] = static_cast<float>(std * r * std::cos(a));
    if (i + 1 < n) out[i + 1] = static_cast<float>(std * r * std::sin(a));
  }
  return out;
}

}  // namespace lf::models
