#include "backends/ascend/hccl_comm.h"

#include <cstring>

#include "backends/ascend/npu_smi.h"
#include "backends/ascend/runtime.h"
#include "backends/ascend/status.h"
#include "core/error.h"
#include "core/log.h"
#include "core/visibility.h"
#include "hccl/hccl.h"

namespace lf::ascend {
namespace {

HcclDataType hccl_dtype(DType t) {
  switch (t) {
    case DType::f32: return HCCL_DATA_TYPE_FP32;
    case DType::bf16: return HCCL_DATA_TYPE_BFP16;
    case DType::f16: return HCCL_DATA_TYPE_FP16;
    case DType::i32: return HCCL_DATA_TYPE_INT32;
    case DType::i64: return HCCL_DATA_TYPE_INT64;
    case DType::boolean: return HCCL_DATA_TYPE_INT8;
  }
  return HCCL_DATA_TYPE_RESERVED;
}

// The physical NPU id of visible index `device` (ASCEND_RT_VISIBLE_DEVICES),
// as npu-smi numbers NPUs.
int physical_npu(int device) {
  Visibility v = parse_visibility(env_value("ASCEND_RT_VISIBLE_DEVICES"), 1 << 16);
  return device < static_cast<int>(v.physical.size()) ? v.physical[device] : device;
}

std::string holders_text(const std::vector<std::string>& holders) {
  std::string s;
  for (const auto& h : holders) s += (s.empty() ? "" : "; ") + h;
  return s;
}

void check_hccl(HcclResult rc, const char* call, const std::string& extra = "") {
  if (rc == HCCL_SUCCESS) return;
  const char* m = aclGetRecentErrMsg();
  throw Error(status_message(call, "", rc, m ? m : "", /*hccl=*/true) + extra);
}

}  // namespace

std::vector<char> hccl_root_info(int device) {
  runtime().stream(device);  // makes the device current on this thread
  HcclRootInfo info;
  // HcclGetRootInfo (hccl/hccl.h, present in CANN 8.0.RC1): on the root rank only.
  check_hccl(HcclGetRootInfo(&info), "HcclGetRootInfo");
  return std::vector<char>(info.internal, info.internal + HCCL_ROOT_INFO_BYTES);
}

HcclCommunicator::HcclCommunicator(int nranks, const std::vector<char>& root_info, int rank,
                                   int device)
    : device_(device) {
  LF_CHECK(root_info.size() == HCCL_ROOT_INFO_BYTES, "HCCL root info must be ",
           HCCL_ROOT_INFO_BYTES, " bytes, got ", root_info.size());
  runtime().stream(device);
  std::vector<std::string> holders = npu_holders(std::vector<int>{physical_npu(device)});
  if (!holders.empty()) {
    log::warn("npu:", device, " is held by other processes (", holders_text(holders),
              "); HCCL initialisation fails while they run: stop them and wait 10 seconds");
  }
  HcclRootInfo info;
  std::memcpy(info.internal, root_info.data(), HCCL_ROOT_INFO_BYTES);
  HcclComm comm = nullptr;
  // HcclCommInitRootInfo (hccl/hccl.h, present in CANN 8.0.RC1): same nRanks and
  // root info on every rank; calls are serialised by HCCL.
  HcclResult rc = HcclCommInitRootInfo(static_cast<uint32_t>(nranks), &info,
                                       static_cast<uint32_t>(rank), &comm);
  check_hccl(rc, "HcclCommInitRootInfo",
             holders.empty() ? "" : " Processes holding the NPU: " + holders_text(holders) + ".");
  comm_ = comm;
}

HcclCommunicator::~HcclCommunicator() {
  // HcclCommDestroy (hccl/hccl.h, present in CANN 8.0.RC1), after queued collectives finish.
  runtime().synchronize(device_);
  HcclCommDestroy(comm_);
}

void* HcclCommunicator::queue(void* stream) const {
  aclrtStream compute = runtime().stream(device_);  // also makes the device current
  return stream ? stream : compute;
}

void HcclCommunicator::all_reduce_sum(Tensor& t, void* stream) {
  LF_CHECK(t.is_contiguous(), "all_reduce_sum needs a contiguous tensor, got ", t.describe());
  // HcclAllReduce (hccl/hccl.h, present in CANN 8.0.RC1): in place, on the rank's stream.
  check_hccl(HcclAllReduce(t.raw_data(), t.raw_data(), static_cast<uint64_t>(t.numel()),
                           hccl_dtype(t.dtype()), HCCL_REDUCE_SUM, comm_, queue(stream)),
             "HcclAllReduce");
  runtime().note_op(device_, "HcclAllReduce");
}

void HcclCommunicator::broadcast(Tensor& t, int root, void* stream) {
  LF_CHECK(t.is_contiguous(), "broadcast needs a contiguous tensor, got ", t.describe());
  // HcclBroadcast (hccl/hccl.h, present in CANN 8.0.RC1).
  check_hccl(HcclBroadcast(t.raw_data(), static_cast<uint64_t>(t.numel()), hccl_dtype(t.dtype()),
                           static_cast<uint32_t>(root), comm_, queue(stream)),
             "HcclBroadcast");
  runtime().note_op(device_, "HcclBroadcast");
}

}  // namespace lf::ascend
