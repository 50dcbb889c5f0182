// training_loss.png as LLaMA-Factory draws it: the raw curve faint, an
// EMA-smoothed curve on top (TensorBoard-style smoothing).
#pragma once
#include <string>
#include <vector>

namespace lf::train {

// Smoothing weight 1.8 * (sigmoid(0.05 * N) - 0.5), N = number of points.
std::vector<double> smooth_curve(const std::vector<double>& values);

// Writes a PNG line plot; `steps` and `values` have equal length (at least 1).
// Written to a temporary file and renamed, so a crash never leaves half a PNG.
void plot_loss(const std::string& path, const std::string& title, const std::string& y_label,
               const std::vector<double>& steps, const std::vector<double>& values);

}  // namespace lf::train
