// CPU-simulated CANN: aclnnop/aclnn_topk.h (prototypes: shared/reference/ascend-cann.md
// Appendix A / §3.1; the standard phase-2 form of §2.3).
#ifndef CANN_SIM_ACLNN_TOPK_H_
#define CANN_SIM_ACLNN_TOPK_H_
#include "aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

aclnnStatus aclnnTopkGetWorkspaceSize(const aclTensor *self, int64_t k, int64_t dim, bool largest, bool sorted, aclTensor *valuesOut, aclTensor *indicesOut,
    uint64_t *workspaceSize, aclOpExecutor **executor);
aclnnStatus aclnnTopk(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
    aclrtStream stream);

#ifdef __cplusplus
}
#endif
#endif  // CANN_SIM_ACLNN_TOPK_H_
