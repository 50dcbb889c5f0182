// The benchmark text: every string of the demo datasets (English and Chinese
// alpaca samples, the bilingual identity set), one document per string, so the
// C++ and Node figures are measured on the same bytes.
#pragma once
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"

namespace lf::tok::bench {

inline void collect_strings(const nlohmann::json& j, std::vector<std::string>& out) {
  if (j.is_string()) {
    if (!j.get_ref<const std::string&>().empty()) out.push_back(j.get<std::string>());
  } else if (j.is_structured()) {
    for (const auto& v : j) collect_strings(v, out);
  }
}

inline std::vector<std::string> bench_documents(const std::string& data_dir) {
  std::vector<std::string> docs;
  for (const char* name : {"alpaca_en_demo.json", "alpaca_zh_demo.json", "identity.json"}) {
    const std::filesystem::path p = std::filesystem::path(data_dir) / name;
    if (!std::filesystem::exists(p)) continue;
    std::ifstream f(p);
    collect_strings(nlohmann::json::parse(f), docs);
  }
  LF_CHECK(!docs.empty(), "no benchmark text: expected the demo datasets under ", data_dir);
  return docs;
}

}  // namespace lf::tok::bench
