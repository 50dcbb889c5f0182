// A read-only memory map of a whole file. Weights are read straight from the
// page cache: no copy of a multi-gigabyte checkpoint is made before conversion.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace lf::models {

class MappedFile {
 public:
  explicit MappedFile(const std::string& path);  // throws lf::Error naming the file
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace lf::models
