#include "backends/ascend/status.h"

#include <map>

namespace lf::ascend {
namespace {

// Names from acl_base.h, acl/error_codes/rt_error_codes.h and
// aclnn/opdev/op_errno.h (shared/reference/ascend-cann.md §7.1-§7.3).
const std::map<int, const char*>& acl_names() {
  static const std::map<int, const char*> names = {
      {0, "ACL_SUCCESS"},
      {100000, "ACL_ERROR_INVALID_PARAM"},
      {100001, "ACL_ERROR_UNINITIALIZE"},
      {100002, "ACL_ERROR_REPEAT_INITIALIZE"},
      {100037, "ACL_ERROR_REPEAT_FINALIZE"},
      {200000, "ACL_ERROR_BAD_ALLOC"},
      {200001, "ACL_ERROR_API_NOT_SUPPORT"},
      {200002, "ACL_ERROR_INVALID_DEVICE"},
      {500000, "ACL_ERROR_INTERNAL_ERROR"},
      {500001, "ACL_ERROR_FAILURE"},
      {500003, "ACL_ERROR_RT_FAILURE"},
      {500004, "ACL_ERROR_DRV_FAILURE"},
      {107000, "ACL_ERROR_RT_PARAM_INVALID"},
      {107001, "ACL_ERROR_RT_INVALID_DEVICEID"},
      {107002, "ACL_ERROR_RT_CONTEXT_NULL"},
      {107008, "ACL_ERROR_RT_ADDR_UNALIGNED"},
      {107017, "ACL_ERROR_RT_INVALID_HANDLE"},
      {207001, "ACL_ERROR_RT_MEMORY_ALLOCATION"},
      {207004, "ACL_ERROR_RT_NO_DEVICE"},
      {507000, "ACL_ERROR_RT_INTERNAL_ERROR"},
      {507014, "ACL_ERROR_RT_AICORE_TIMEOUT"},
      {507015, "ACL_ERROR_RT_AICORE_EXCEPTION"},
      {507017, "ACL_ERROR_RT_AICPU_TIMEOUT"},
      {507018, "ACL_ERROR_RT_AICPU_EXCEPTION"},
      {507035, "ACL_ERROR_RT_VECTOR_CORE_EXCEPTION"},
      {507899, "ACL_ERROR_RT_DRV_INTERNAL_ERROR"},
      {161001, "ACLNN_ERR_PARAM_NULLPTR"},
      {161002, "ACLNN_ERR_PARAM_INVALID"},
      {361001, "ACLNN_ERR_RUNTIME_ERROR"},
      {561000, "ACLNN_ERR_INNER"},
      {561001, "ACLNN_ERR_INNER_INFERSHAPE_ERROR"},
      {561002, "ACLNN_ERR_INNER_TILING_ERROR"},
      {561003, "ACLNN_ERR_INNER_FIND_KERNEL_ERROR"},
      {561103, "ACLNN_ERR_INNER_NULLPTR"},
      {561112, "ACLNN_ERR_INNER_OPP_KERNEL_PKG_NOT_FOUND"},
  };
  return names;
}

// HcclResult values (hccl_types.h, reference §4.2).
const char* hccl_name(int code) {
  static const char* names[] = {
      "HCCL_SUCCESS",       "HCCL_E_PARA",         "HCCL_E_PTR",         "HCCL_E_MEMORY",
      "HCCL_E_INTERNAL",    "HCCL_E_NOT_SUPPORT",  "HCCL_E_NOT_FOUND",   "HCCL_E_UNAVAIL",
      "HCCL_E_SYSCALL",     "HCCL_E_TIMEOUT",      "HCCL_E_OPEN_FILE_FAILURE",
      "HCCL_E_TCP_CONNECT", "HCCL_E_ROCE_CONNECT", "HCCL_E_TCP_TRANSFER", "HCCL_E_ROCE_TRANSFER",
      "HCCL_E_RUNTIME",     "HCCL_E_DRV",          "HCCL_E_PROFILING",   "HCCL_E_CCE",
      "HCCL_E_NETWORK",     "HCCL_E_AGAIN",        "HCCL_E_REMOTE"};
  return code >= 0 && code < 22 ? names[code] : nullptr;
}

}  // namespace

std::string status_name(int code, bool hccl) {
  if (hccl) {
    const char* n = hccl_name(code);
    return n ? n : "unknown status";
  }
  auto it = acl_names().find(code);
  return it == acl_names().end() ? "unknown status" : it->second;
}

std::string status_remedy(int code, bool hccl) {
  if (hccl && code == 7) {
    return "The NPU is still held by another process (EJ0001 \"Failed to initialize the HCCP "
           "process\"): stop every earlier training process on these NPUs (see the process table "
           "of `npu-smi info`), wait 10 seconds, then start again.";
  }
  if (hccl) return "";
  switch (code) {
    case 507018:
      return "An AI CPU kernel failed on the device (507018 is an AI CPU exception, the error of "
             "the seed FAQ's sampling crash). llamafactory.cpp never samples with the AI CPU "
             "multinomial kernel, so do_sample: true is supported; if this persists, update the "
             "CANN toolkit and kernels packages, and report the op named above.";
    case 507015:
      return "An AI Core kernel failed on the device: check the op's inputs for out-of-range "
             "indices (token ids beyond the vocabulary) or NaN/Inf, and that the CANN kernels "
             "package matches the toolkit version.";
    case 207001:
    case 200000:
      return "The NPU is out of memory: lower per_device_train_batch_size or cutoff_len, enable "
             "gradient_checkpointing, or use LoRA; `npu-smi info` shows what else holds HBM.";
    case 561003:
    case 561112:
      return "The operator binary package may not have been installed: install the CANN kernels "
             "package for this NPU (Ascend-cann-kernels-<soc>) matching the toolkit version.";
    case 507899:
    case 500004:
      return "The NPU driver is not installed or not loaded: install the driver and firmware for "
             "this card and check `npu-smi info`.";
    default:
      return "";
  }
}

std::string status_message(const std::string& call, const std::string& op, int code,
                           const std::string& detail, bool hccl) {
  std::string m = call + " failed";
  if (!op.empty()) m += " in op " + op;
  m += ": " + std::to_string(code) + " " + status_name(code, hccl) + ".";
  if (!detail.empty()) m += " CANN says: " + detail;
  std::string remedy = status_remedy(code, hccl);
  if (!remedy.empty()) m += (m.back() == '.' ? " " : ". ") + remedy;
  return m;
}

}  // namespace lf::ascend
