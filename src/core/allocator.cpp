#include "core/allocator.h"

#include "core/error.h"
#include "core/runtime.h"

namespace lf {

size_t CachingAllocator::round_size(size_t bytes) {
  constexpr size_t kSmall = 512;
  constexpr size_t kLarge = 2u << 20;
  if (bytes == 0) return kSmall;
  if (bytes < (1u << 20)) return (bytes + kSmall - 1) / kSmall * kSmall;
  return (bytes + kLarge - 1) / kLarge * kLarge;
}

void* CachingAllocator::allocate(size_t bytes, size_t* block_size) {
  size_t size = round_size(bytes);
  *block_size = size;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = free_.find(size);
  void* p = nullptr;
  if (it != free_.end() && !it->second.empty()) {
    p = it->second.back();
    it->second.pop_back();
  } else {
    DeviceRuntime& rt = runtime_for(device_);
    try {
      p = rt.raw_alloc(device_.index, size);
    } catch (const Error&) {
      // Out of memory: give the cache back and try once more before failing.
      empty_cache_locked();
      p = rt.raw_alloc(device_.index, size);
    }
    stats_.reserved += size;
    stats_.device_allocs++;
  }
  stats_.allocated += size;
  if (stats_.allocated > stats_.peak_allocated) stats_.peak_allocated = stats_.allocated;
  return p;
}

void CachingAllocator::release(void* ptr, size_t block_size) {
  std::lock_guard<std::mutex> lock(mu_);
  stats_.allocated -= block_size;
  free_[block_size].push_back(ptr);
}

void CachingAllocator::empty_cache_locked() {
  DeviceRuntime* rt = find_runtime(device_.type);
  for (auto& [size, ptrs] : free_) {
    for (void* p : ptrs) {
      if (rt) rt->raw_free(device_.index, p);
      stats_.reserved -= size;
    }
  }
  free_.clear();
}

void CachingAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mu_);
  empty_cache_locked();
}

AllocStats CachingAllocator::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void CachingAllocator::reset_peak() {
  std::lock_guard<std::mutex> lock(mu_);
  stats_.peak_allocated = stats_.allocated;
}

CachingAllocator& allocator_for(const Device& d) {
  constexpr int kMaxIndex = 64;
  static std::mutex mu;
  // Never destroyed: tensors held in statics may be released after exit handlers ran.
  static CachingAllocator* table[3][kMaxIndex] = {};
  LF_CHECK(d.index >= 0 && d.index < kMaxIndex, "device ", d.str(), ": index out of range");
  std::lock_guard<std::mutex> lock(mu);
  CachingAllocator*& slot = table[static_cast<int>(d.type)][d.index];
  if (!slot) slot = new CachingAllocator(d);
  return *slot;
}

}  // namespace lf
