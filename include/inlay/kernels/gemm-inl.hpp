// Per-target bodies of the gemm kernels (see gemm.hpp). Re-included once per CPU target.
#if defined(INLAY_KERNELS_GEMM_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_GEMM_INL_HPP
#undef INLAY_KERNELS_GEMM_INL_HPP
#else
#define INLAY_KERNELS_GEMM_INL_HPP
#endif

#include <hwy/highway.h>

#include "inlay/kernels/gemm.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_GEMM_INL_HPP
