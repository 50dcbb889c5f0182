// Rotary inverse frequencies under each rope_scaling kind, following the
// formulas of transformers' modeling_rope_utils (computed in double, stored
// as float like the f32 buffers there).
#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.h"
#include "models/model_spec.h"

namespace lf::models {

namespace {

std::vector<double> base_inv_freq(double theta, int64_t dim) {
  std::vector<double> f(static_cast<size_t>(dim / 2));
  for (size_t i = 0; i < f.size(); ++i)
    f[i] = 1.0 / std::pow(theta, static_cast<double>(2 * i) / static_cast<double>(dim));
  return f;
}

// Llama 3.1: long wavelengths are divided by factor, short ones kept, and the
// band in between blended smoothly.
void apply_llama3(std::vector<double>& f, const RopeScaling& r) {
  const double old_len = static_cast<double>(r.original_max_position_embeddings);
  const double low_wavelen = old_len / r.low_freq_factor;
  const double high_wavelen = old_len / r.high_freq_factor;
  for (double& x : f) {
    const double wavelen = 2.0 * std::numbers::pi / x;
    if (wavelen > low_wavelen) {
      x /= r.factor;
    } else if (wavelen >= high_wavelen) {
      double smooth = (old_len / wavelen - r.low_freq_factor) / (r.high_freq_factor - r.low_freq_factor);
      x = (1.0 - smooth) * x / r.factor + smooth * x;
    }
  }
}

double yarn_mscale(double scale, double mscale) {
  return scale <= 1.0 ? 1.0 : 0.1 * mscale * std::log(scale) + 1.0;
}

// YaRN: interpolate low frequencies, extrapolate high ones, linear ramp
// between the correction dims; the attention factor rescales cos/sin.
float apply_yarn(std::vector<double>& f, const RopeScaling& r, double theta, int64_t dim,
                 int64_t max_pos) {
  const double orig = static_cast<double>(r.original_max_position_embeddings > 0
                                              ? r.original_max_position_embeddings
                                              : max_pos);
  double attention = 0.0;
  if (r.attention_factor) attention = *r.attention_factor;
  else if (r.mscale && r.mscale_all_dim && *r.mscale && *r.mscale_all_dim)
    attention = yarn_mscale(r.factor, *r.mscale) / yarn_mscale(r.factor, *r.mscale_all_dim);
  else attention = yarn_mscale(r.factor, 1.0);

  const double d = static_cast<double>(dim);
  auto correction_dim = [&](double rotations) {
    return d * std::log(orig / (rotations * 2.0 * std::numbers::pi)) / (2.0 * std::log(theta));
  };
  double low = correction_dim(r.beta_fast), high = correction_dim(r.beta_slow);
  if (r.truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  low = std::max(low, 0.0);
  high = std::min(high, d - 1.0);
  if (low == high) high += 0.001;  // avoids a zero-width ramp
  for (size_t i = 0; i < f.size(); ++i) {
    double ramp = std::clamp((static_cast<double>(i) - low) / (high - low), 0.0, 1.0);
    double extrapolation = 1.0 - ramp;
    double interpolated = f[i] / r.factor;
    f[i] = interpolated * (1.0 - extrapolation) + f[i] * extrapolation;
  }
  return static_cast<float>(attention);
}

}  // namespace

RopeFrequencies rope_frequencies(const ModelSpec& spec, int64_t seq_len) {
  const RopeScaling& r = spec.rope_scaling;
  double theta = spec.rope_theta;
  const int64_t dim = spec.head_dim;
  RopeFrequencies out;
  if (r.kind == "dynamic") {
    // Dynamic NTK: the base grows once the sequence passes the trained length.
    const double max_pos = static_cast<double>(spec.max_position_embeddings);
    const double len = std::max(static_cast<double>(seq_len), max_pos);
    const double d = static_cast<double>(dim);
    theta *= std::pow(r.factor * len / max_pos - (r.factor - 1.0), d / (d - 2.0));
  }
  std::vector<double> f = base_inv_freq(theta, dim);
  if (r.kind == "linear") {
    for (double& x : f) x /= r.factor;
  } else if (r.kind == "llama3") {
    apply_llama3(f, r);
  } else if (r.kind == "yarn") {
    out.attention_factor = apply_yarn(f, r, theta, dim, spec.max_position_embeddings);
  } else {
    LF_CHECK(r.kind == "default" || r.kind == "dynamic", "unknown rope scaling \"", r.kind, "\"");
  }
  out.inv_freq.assign(f.begin(), f.end());
  return out;
}

}  // namespace lf::models
