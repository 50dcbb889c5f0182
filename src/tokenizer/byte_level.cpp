#include "tokenizer/byte_level.h"

#include <array>

#include "tokenizer/utf8.h"

namespace lf::tok {
namespace {

struct Tables {
  std::array<char32_t, 256> to_char{};
  std::array<std::string, 256> to_utf8;
  std::array<int, 512> to_byte{};  // every mapped character is below U+0200

  Tables() {
    // Printable Latin-1 bytes stand for themselves; the rest, in byte order,
    // take the characters from U+0100 upwards.
    const auto printable = [](int b) {
      return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    };
    to_byte.fill(-1);
    char32_t next = 0x100;
    for (int b = 0; b < 256; ++b) {
      to_char[b] = printable(b) ? static_cast<char32_t>(b) : next++;
      to_byte[to_char[b]] = b;
      append_utf8(to_utf8[b], to_char[b]);
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

char32_t byte_to_char(unsigned char b) { return tables().to_char[b]; }

void bytes_to_chars(std::string_view bytes, std::string& out) {
  const Tables& t = tables();
  for (unsigned char b : bytes) out += t.to_utf8[b];
}

bool chars_to_bytes(std::string_view chars, std::string& out) {
  const Tables& t = tables();
  for (size_t i = 0; i < chars.size();) {
    const char32_t cp = next_codepoint(chars, i);
    if (cp >= t.to_byte.size() || t.to_byte[cp] < 0) return false;
    out += static_cast<char>(t.to_byte[cp]);
  }
  return true;
}

}  // namespace lf::tok
