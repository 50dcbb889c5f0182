// A fresh scratch directory per test under the build tree, removed afterwards.
#pragma once
#include <filesystem>
#include <string>

class TestDir {
 public:
  explicit TestDir(const std::string& name)
      : path_(std::filesystem::path(LF_BINARY_DIR) / "test_tmp" / "models" / name) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TestDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};
