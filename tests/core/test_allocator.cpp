#include <gtest/gtest.h>

#include "core/allocator.h"
#include "core/tensor.h"

using namespace lf;

TEST(Allocator, RoundsSizes) {
  EXPECT_EQ(CachingAllocator::round_size(1), 512u);
  EXPECT_EQ(CachingAllocator::round_size(513), 1024u);
  EXPECT_EQ(CachingAllocator::round_size(3u << 20), 4u << 20);
}

TEST(Allocator, StatsAndReuse) {
  CachingAllocator alloc(Device::cpu());
  size_t b1 = 0, b2 = 0, b3 = 0;
  void* p1 = alloc.allocate(1000, &b1);
  EXPECT_EQ(b1, 1024u);
  void* p2 = alloc.allocate(5000, &b2);
  AllocStats s = alloc.stats();
  EXPECT_EQ(s.allocated, b1 + b2);
  EXPECT_EQ(s.reserved, b1 + b2);
  EXPECT_EQ(s.peak_allocated, b1 + b2);
  EXPECT_EQ(s.device_allocs, 2u);

  alloc.release(p1, b1);
  s = alloc.stats();
  EXPECT_EQ(s.allocated, b2);
  EXPECT_EQ(s.reserved, b1 + b2);  // cached, not returned
  EXPECT_EQ(s.peak_allocated, b1 + b2);

  void* p3 = alloc.allocate(900, &b3);  // same rounded size: the cached block
  EXPECT_EQ(p3, p1);
  EXPECT_EQ(alloc.stats().device_allocs, 2u);

  alloc.release(p2, b2);
  alloc.release(p3, b3);
  alloc.reset_peak();
  EXPECT_EQ(alloc.stats().peak_allocated, 0u);
  alloc.empty_cache();
  s = alloc.stats();
  EXPECT_EQ(s.reserved, 0u);
  EXPECT_EQ(s.allocated, 0u);
}

TEST(Allocator, TensorsReturnTheirMemory) {
  CachingAllocator& alloc = allocator_for(Device::cpu());
  size_t before = alloc.stats().allocated;
  {
    Tensor t = Tensor::empty({256, 256}, DType::f32);
    EXPECT_EQ(alloc.stats().allocated, before + CachingAllocator::round_size(256 * 256 * 4));
    Tensor view = t.slice(0, 0, 10);
    t = Tensor();
    EXPECT_GT(alloc.stats().allocated, before);  // the view keeps the storage alive
  }
  EXPECT_EQ(alloc.stats().allocated, before);
}
