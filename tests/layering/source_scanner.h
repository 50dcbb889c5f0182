// Finds code above src/ops that names a backend, a vendor type or API, a
// vendor header, or branches on a device family. Comments and string
// literals are blanked first, so prose and messages may mention them.
#pragma once
#include <cctype>
#include <regex>
#include <string>
#include <vector>

namespace lf::test {

struct Violation {
  int line = 0;
  std::string rule;
  std::string text;
};

// Replaces the contents of comments, string and character literals (raw
// strings included) with spaces, keeping newlines so line numbers hold.
// keep_plain_strings leaves "..." literals (include paths, comparisons) as they are.
inline std::string blank_comments_and_literals(const std::string& src,
                                               bool keep_plain_strings = false) {
  std::string out = src;
  size_t i = 0;
  const size_t n = src.size();
  auto blank = [&](size_t from, size_t to) {
    for (size_t k = from; k < to && k < n; ++k) {
      if (out[k] != '\n') out[k] = ' ';
    }
  };
  while (i < n) {
    if (src.compare(i, 2, "//") == 0) {
      size_t end = src.find('\n', i);
      end = end == std::string::npos ? n : end;
      blank(i, end);
      i = end;
    } else if (src.compare(i, 2, "/*") == 0) {
      size_t end = src.find("*/", i + 2);
      end = end == std::string::npos ? n : end + 2;
      blank(i, end);
      i = end;
    } else if (src[i] == 'R' && i + 1 < n && src[i + 1] == '"' &&
               (i == 0 || !(std::isalnum(static_cast<unsigned char>(src[i - 1])) || src[i - 1] == '_'))) {
      size_t open = src.find('(', i + 2);
      if (open == std::string::npos) break;
      // Built with += : g++ 12 warns falsely (-Wrestrict) on ")" + string.
      std::string close(1, ')');
      close += src.substr(i + 2, open - i - 2);
      close += '"';
      size_t end = src.find(close, open);
      end = end == std::string::npos ? n : end + close.size();
      blank(i + 2, end - 1);
      i = end;
    } else if (src[i] == '"' || src[i] == '\'') {
      const char quote = src[i];
      size_t k = i + 1;
      while (k < n && src[k] != quote && src[k] != '\n') k += src[k] == '\\' ? 2 : 1;
      if (!keep_plain_strings || quote == '\'') blank(i + 1, k);
      i = k + 1;
    } else {
      ++i;
    }
  }
  return out;
}

inline std::vector<Violation> scan_source(const std::string& text) {
  struct Rule {
    const char* name;
    std::regex pattern;
    bool on_code;  // true: literals blanked too; false: only comments and raw strings
  };
  static const std::vector<Rule> rules = {
      {"vendor or backend header",
       std::regex(R"(^\s*#\s*include\s*[<"]([^>"]*/)?)"
                  R"((acl/|aclnn|hccl|cuda_runtime|cuda\.h|cuda_fp16|cublas|nccl|dnnl|oneapi/dnnl|backends/))"),
       false},
      {"device family compared as a string",
       std::regex(R"([=!]=\s*"(npu|cuda)(:\d*)?"|"(npu|cuda)(:\d*)?"\s*[=!]=)"), false},
      {"vendor ACL/aclnn API or type", std::regex(R"(\bacl(rt|nn)?[A-Z]\w*|\baclrt\w*|\baclnn\w*)"), true},
      {"vendor HCCL API or type", std::regex(R"(\bHccl\w*|\bhccl[A-Z]\w*)"), true},
      {"vendor CUDA/NCCL API or type", std::regex(R"(\bcuda[A-Z]\w*|\bcublas\w*|\bnccl[A-Z]\w*)"), true},
      {"oneDNN API", std::regex(R"(\bdnnl(::|_)\w*)"), true},
      {"names a device family", std::regex(R"(\bDeviceType\s*::\s*(npu|cuda)\b)"), true},
      {"names a backend", std::regex(R"(\b(cpu|ascend|cuda)\s*::|\b(Cpu|Ascend|Cuda)Backend\b)"), true},
  };
  std::vector<Violation> out;
  const std::string code = blank_comments_and_literals(text);
  auto split = [](const std::string& s) {
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t k = 0; k <= s.size(); ++k) {
      if (k == s.size() || s[k] == '\n') {
        lines.push_back(s.substr(start, k - start));
        start = k + 1;
      }
    }
    return lines;
  };
  const auto raw_lines = split(text);
  const auto code_lines = split(code);
  const auto string_lines = split(blank_comments_and_literals(text, true));
  for (size_t i = 0; i < raw_lines.size(); ++i) {
    for (const auto& rule : rules) {
      const std::string& line = rule.on_code ? code_lines[i] : string_lines[i];
      if (std::regex_search(line, rule.pattern)) {
        out.push_back({static_cast<int>(i + 1), rule.name, raw_lines[i]});
      }
    }
  }
  return out;
}

}  // namespace lf::test
