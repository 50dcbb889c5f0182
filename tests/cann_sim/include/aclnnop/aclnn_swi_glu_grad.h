// CPU-simulated CANN: aclnnop/aclnn_swi_glu_grad.h (prototypes: shared/reference/ascend-cann.md
// Appendix A / §3.1; the standard phase-2 form of §2.3).
#ifndef CANN_SIM_ACLNN_SWI_GLU_GRAD_H_
#define CANN_SIM_ACLNN_SWI_GLU_GRAD_H_
#include "aclnn/aclnn_base.h"

#ifdef __cplusplus
extern "C" {
#endif

aclnnStatus aclnnSwiGluGradGetWorkspaceSize(const aclTensor *yGrad, const aclTensor *x, int64_t dim, const aclTensor *out,
    uint64_t *workspaceSize, aclOpExecutor **executor);
aclnnStatus aclnnSwiGluGrad(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor,
    aclrtStream stream);

#ifdef __cplusplus
}
#endif
#endif  // CANN_SIM_ACLNN_SWI_GLU_GRAD_H_
