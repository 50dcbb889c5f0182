// The usage banner (LLaMA-Factory's USAGE box), built from the registered
// commands so a new command appears in it without editing this file.
#pragma once
#include <string>
#include <vector>

namespace lf::cli {

std::string usage_text();

// Draws lines in a box of dashes and bars, as LLaMA-Factory's banners are.
std::string boxed(const std::vector<std::string>& lines);

}  // namespace lf::cli
