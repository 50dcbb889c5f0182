// CPU-simulated CANN: aclnnop/aclnn_max_dim.h (prototypes: shared/reference/ascend-cann.md
// Appendix A / §3.1; the standard phase-2 form of §2.3).
#ifndef CANN_SIM_ACLNN_MAX_DIM_H_
#define CANN_SIM_ACLNN_MAX_DIM_H_
#include "aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

aclnnStatus aclnnMaxDimGetWorkspaceSize(const aclTensor *self, int64_t dim, bool keepdim, aclTensor *out, aclTensor *indices,
    uint64_t *workspaceSize, aclOpExecutor **executor);
aclnnStatus aclnnMaxDim(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
    aclrtStream stream);

#ifdef __cplusplus
}
#endif
#endif  // CANN_SIM_ACLNN_MAX_DIM_H_
