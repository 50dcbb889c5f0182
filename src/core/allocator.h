// Per-device caching allocator: sizes are rounded, freed blocks are kept and
// reused, so accelerator memory is never asked of the driver per op.
#pragma once
#include <cstddef>
#include <map>
#include <mutex>
#include <vector>

#include "core/device.h"

namespace lf {

struct AllocStats {
  size_t allocated = 0;       // bytes in live tensors
  size_t reserved = 0;        // bytes held from the device (live + cached)
  size_t peak_allocated = 0;  // high-water mark of `allocated`
  size_t device_allocs = 0;   // calls that reached the device runtime
};

class CachingAllocator {
 public:
  explicit CachingAllocator(Device device) : device_(device) {}
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  // Returns memory of at least `bytes`; *block_size receives the rounded size
  // that must be passed back to release().
  void* allocate(size_t bytes, size_t* block_size);
  void release(void* ptr, size_t block_size);
  // Returns every cached block to the device.
  void empty_cache();
  AllocStats stats();
  void reset_peak();

  static size_t round_size(size_t bytes);

 private:
  void empty_cache_locked();
  Device device_;
  std::mutex mu_;
  std::map<size_t, std::vector<void*>> free_;
  AllocStats stats_;
};

CachingAllocator& allocator_for(const Device& d);

}  // namespace lf
