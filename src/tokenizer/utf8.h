// UTF-8 helpers shared by the tokenizer stages.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace lf::tok {

// Length of the character that starts with `lead` (1 for a stray byte).
inline size_t utf8_len(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

void append_utf8(std::string& out, char32_t cp);

// Decodes the character at s[i] (input must be valid UTF-8) and advances i.
char32_t next_codepoint(std::string_view s, size_t& i);

// Replaces every ill-formed sequence with U+FFFD, one per maximal subpart, the
// rule of the Unicode standard that WHATWG's TextDecoder (and so Node's
// Buffer.toString) and Python's bytes.decode(errors="replace") follow. Returns
// `s` unchanged when it is already valid.
std::string sanitize_utf8(std::string_view s);
bool is_valid_utf8(std::string_view s);

// Rust's char::is_whitespace (the Unicode White_Space property), which the
// Hugging Face library uses for the lstrip/rstrip of added tokens.
bool is_unicode_whitespace(char32_t cp);

}  // namespace lf::tok
