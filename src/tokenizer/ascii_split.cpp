#include "tokenizer/ascii_split.h"

namespace lf::tok {
namespace {

// The alternatives, in order (leftmost alternative wins, as in the regex):
//   (?i:'s|'t|'re|'ve|'m|'ll|'d) | [^\r\n\p{L}\p{N}]?\p{L}+ | \p{N}{1,N} |
//    ?[^\s\p{L}\p{N}]+[\r\n]* | \s*[\r\n]+ | \s+(?!\S) | \s+
constexpr const char* kLlama3 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen2 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

bool letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }  // \t \n \v \f \r
bool newline(char c) { return c == '\r' || c == '\n'; }
bool other(char c) { return !space(c) && !letter(c) && !digit(c); }  // [^\s\p{L}\p{N}]
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::unique_ptr<AsciiSplitter> AsciiSplitter::for_pattern(const std::string& pattern) {
  if (pattern == kLlama3) return std::unique_ptr<AsciiSplitter>(new AsciiSplitter(3));
  if (pattern == kQwen2) return std::unique_ptr<AsciiSplitter>(new AsciiSplitter(1));
  return nullptr;
}

size_t AsciiSplitter::match_at(std::string_view s, size_t i) const {
  const size_t n = s.size();
  const auto at = [&](size_t k) { return k < n ? s[k] : '\0'; };
  const auto run = [&](size_t k, bool (*pred)(char)) {
    while (k < n && pred(s[k])) ++k;
    return k;
  };
  const char c = s[i];
  if (c == '\'') {  // contractions, case-insensitive
    const char a = lower(at(i + 1)), b = lower(at(i + 2));
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return i + 2;
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return i + 3;
  }
  if (!newline(c) && !letter(c) && !digit(c) && letter(at(i + 1))) return run(i + 1, letter);
  if (letter(c)) return run(i, letter);
  if (digit(c)) {
    size_t e = i;
    while (e < n && e - i < max_digits_ && digit(s[e])) ++e;
    return e;
  }
  const size_t p = c == ' ' && i + 1 < n && other(s[i + 1]) ? i + 1 : i;
  if (other(s[p])) return run(run(p, other), newline);
  const size_t ws_end = run(i, space);  // c is whitespace from here on
  for (size_t k = ws_end; k > i; --k)
    if (newline(s[k - 1])) return k;  // \s*[\r\n]+ ends after the last newline
  if (ws_end == n || ws_end - i == 1) return ws_end;  // \s+(?!\S), else \s+
  return ws_end - 1;  // \s+(?!\S) backs off one so a space stays before the word
}

std::vector<std::pair<size_t, size_t>> AsciiSplitter::find_all(std::string_view s) const {
  std::vector<std::pair<size_t, size_t>> out;
  out.reserve(s.size() / 4 + 1);
  for (size_t i = 0; i < s.size();) {
    const size_t e = match_at(s, i);
    out.emplace_back(i, e);
    i = e;
  }
  return out;
}

}  // namespace lf::tok
