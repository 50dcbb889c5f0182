// The simulated ACL runtime's observable rules (reference §12).
#include <cstring>

#include "test_util.h"

using namespace cann_sim_test;

TEST(Sim, InitOnceThenRepeatIsReported) {
  init_device0();
  EXPECT_EQ(aclInit(nullptr), ACL_ERROR_REPEAT_INITIALIZE);  // 100002
}

TEST(Sim, DeviceCountAndInvalidDevice) {
  init_device0();
  uint32_t n = 0;
  ASSERT_EQ(aclrtGetDeviceCount(&n), ACL_SUCCESS);
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(aclrtSetDevice(2), ACL_ERROR_RT_INVALID_DEVICEID);
  EXPECT_STREQ(aclrtGetSocName(), "Ascend910B2");
}

TEST(Sim, MallocIsAlignedPaddedAndAccounted) {
  init_device0();
  size_t free0, total, free1;
  ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free0, &total), ACL_SUCCESS);
  EXPECT_EQ(total, size_t{64} << 20);
  void* p = nullptr;
  ASSERT_EQ(aclrtMalloc(&p, 100, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
  ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free1, &total), ACL_SUCCESS);
  EXPECT_EQ(free0 - free1, 128u + 32u);  // aligned to 32, padded with 32
  EXPECT_EQ(aclrtFree(p), ACL_SUCCESS);
  EXPECT_EQ(aclrtFree(p), ACL_ERROR_INVALID_PARAM);
}

TEST(Sim, OutOfMemoryFailsWithMessage) {
  init_device0();
  void* p = nullptr;
  EXPECT_EQ(aclrtMalloc(&p, size_t{65} << 20, ACL_MEM_MALLOC_HUGE_FIRST),
            ACL_ERROR_RT_MEMORY_ALLOCATION);
  const char* msg = aclGetRecentErrMsg();
  ASSERT_NE(msg, nullptr);
  EXPECT_NE(std::strstr(msg, "EL0004"), nullptr);
}

TEST(Sim, MemcpyChecksKindAndSize) {
  init_device0();
  DeviceFloats d({1, 2, 3, 4});
  float host[4];
  EXPECT_EQ(aclrtMemcpy(host, 16, d.ptr, 16, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtMemcpy(host, 8, d.ptr, 16, ACL_MEMCPY_DEVICE_TO_HOST), ACL_ERROR_INVALID_PARAM);
  EXPECT_EQ(aclrtMemcpy(host, 16, d.ptr, 16, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
  EXPECT_EQ(host[3], 4.0f);
}

TEST(Sim, UnalignedDeviceToDeviceAsyncCopyIsRefused) {
  init_device0();
  DeviceFloats a({1, 2, 3, 4}), b({0, 0, 0, 0});
  char* src = static_cast<char*>(a.ptr) + 4;
  EXPECT_EQ(aclrtMemcpyAsync(b.ptr, 8, src, 8, ACL_MEMCPY_DEVICE_TO_DEVICE, nullptr),
            ACL_ERROR_RT_ADDR_UNALIGNED);
}

TEST(Sim, StreamsRunQueuedWorkAtSynchronize) {
  init_device0();
  DeviceFloats d({1, 2, 3, 4}), zeros({0, 0, 0, 0});
  aclrtStream s = nullptr;
  ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemcpyAsync(d.ptr, 16, zeros.ptr, 16, ACL_MEMCPY_DEVICE_TO_DEVICE, s), ACL_SUCCESS);
  EXPECT_EQ(d.read()[0], 1.0f);  // not yet run: aclrtMemcpy is not ordered with the stream
  ASSERT_EQ(aclrtSynchronizeStream(s), ACL_SUCCESS);
  EXPECT_EQ(d.read()[0], 0.0f);
  EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
}

TEST(Sim, EventsOrderWorkAcrossStreams) {
  init_device0();
  DeviceFloats d({1, 2, 3, 4}), zeros({0, 0, 0, 0}), out({9, 9, 9, 9}), twos({2, 2, 2, 2});
  aclrtStream a = nullptr, b = nullptr;
  ASSERT_EQ(aclrtCreateStream(&a), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateStream(&b), ACL_SUCCESS);
  aclrtEvent produced = nullptr, consumed = nullptr;
  ASSERT_EQ(aclrtCreateEvent(&produced), ACL_SUCCESS);
  ASSERT_EQ(aclrtCreateEvent(&consumed), ACL_SUCCESS);
  // a: d = 0, then (after b has read d) d = 2; b: out = d once a has written it.
  ASSERT_EQ(aclrtMemcpyAsync(d.ptr, 16, zeros.ptr, 16, ACL_MEMCPY_DEVICE_TO_DEVICE, a), ACL_SUCCESS);
  ASSERT_EQ(aclrtRecordEvent(produced, a), ACL_SUCCESS);
  ASSERT_EQ(aclrtStreamWaitEvent(a, consumed), ACL_SUCCESS);  // not recorded yet: no wait
  ASSERT_EQ(aclrtStreamWaitEvent(b, produced), ACL_SUCCESS);
  ASSERT_EQ(aclrtMemcpyAsync(out.ptr, 16, d.ptr, 16, ACL_MEMCPY_DEVICE_TO_DEVICE, b), ACL_SUCCESS);
  ASSERT_EQ(aclrtRecordEvent(consumed, b), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeEvent(consumed), ACL_SUCCESS);  // runs b, and a up to `produced`
  EXPECT_EQ(out.read()[0], 0.0f);
  ASSERT_EQ(aclrtMemcpyAsync(d.ptr, 16, twos.ptr, 16, ACL_MEMCPY_DEVICE_TO_DEVICE, a), ACL_SUCCESS);
  ASSERT_EQ(aclrtSynchronizeStream(a), ACL_SUCCESS);
  EXPECT_EQ(d.read()[0], 2.0f);
  EXPECT_EQ(out.read()[0], 0.0f);
  EXPECT_EQ(aclrtDestroyEvent(produced), ACL_SUCCESS);
  EXPECT_EQ(aclrtDestroyEvent(consumed), ACL_SUCCESS);
  EXPECT_EQ(aclrtDestroyEvent(consumed), ACL_ERROR_RT_PARAM_INVALID);
  EXPECT_EQ(aclrtDestroyStream(a), ACL_SUCCESS);
  EXPECT_EQ(aclrtDestroyStream(b), ACL_SUCCESS);
}

TEST(SimVisible, ListedDevicesAreRenumberedFromZero) {
  if (!env_is("ASCEND_RT_VISIBLE_DEVICES", "2,3")) GTEST_SKIP() << "run by ctest cann_sim.visible";
  init_device0();
  uint32_t n = 0;
  ASSERT_EQ(aclrtGetDeviceCount(&n), ACL_SUCCESS);
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(aclrtSetDevice(1), ACL_SUCCESS);
  EXPECT_EQ(aclrtSetDevice(2), ACL_ERROR_RT_INVALID_DEVICEID);
}

TEST(SimVisibleStops, ParsingStopsAtTheFirstInvalidEntry) {
  if (!env_is("ASCEND_RT_VISIBLE_DEVICES", "1, 2,3")) GTEST_SKIP() << "run by ctest cann_sim.visible_stops";
  init_device0();
  uint32_t n = 0;
  ASSERT_EQ(aclrtGetDeviceCount(&n), ACL_SUCCESS);
  EXPECT_EQ(n, 1u);
}
