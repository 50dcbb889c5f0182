// The GPT-2 byte-to-character table of byte-level BPE: every byte is shown as
// one printable character (space -> 'Ġ' U+0120, newline -> 'Ċ' U+010A), so
// vocabularies can hold arbitrary bytes as JSON strings.
#pragma once
#include <string>
#include <string_view>

namespace lf::tok {

// The character standing for byte b.
char32_t byte_to_char(unsigned char b);
// Appends the characters standing for each byte of `bytes`.
void bytes_to_chars(std::string_view bytes, std::string& out);
// Maps a string of such characters back to bytes; false when a character is
// not in the table (out is then unspecified).
bool chars_to_bytes(std::string_view chars, std::string& out);

}  // namespace lf::tok
