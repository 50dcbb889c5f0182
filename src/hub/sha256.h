// SHA-256 (FIPS 180-4), to verify downloads against the hash a hub reports.
// Written here because the hub library links only libcurl, not a crypto library.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace lf::hub {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t n);
  std::string hex_digest();  // finishes; the object is spent afterwards

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

std::string sha256_file(const std::filesystem::path& path);  // lower-case hex

}  // namespace lf::hub
