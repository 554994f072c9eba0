// The implementation: compiled in the one translation unit that defines INLAY_IMPLEMENTATION.
// Highway's foreach_target re-includes inlay/inlay.hpp once per CPU target with
// INLAY_KERNEL_PASS defined, which compiles every kernel body (impl/kernels-inl.hpp) into the
// namespace of that target; the *-dispatch.hpp files then define the public kernel entry points,
// each a call through a table indexed by the target chosen at run time (impl/dispatch.hpp).
//
// Include inlay before any Highway header in this translation unit: the target list is fixed by
// the first inclusion of Highway. Define HWY_DISABLED_TARGETS to compile fewer targets.
#ifndef INLAY_IMPL_IMPLEMENTATION_HPP
#define INLAY_IMPL_IMPLEMENTATION_HPP

#ifndef HWY_WANT_AVX3_DL
#define HWY_WANT_AVX3_DL  // AVX-512 VNNI/VBMI2 (Ice Lake, Zen 4): worth a target of its own
#endif

#define INLAY_KERNEL_PASS
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "inlay/inlay.hpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>
#include "inlay/inlay.hpp"  // the pass for the static (baseline) target
#undef INLAY_KERNEL_PASS

#include "inlay/impl/error.hpp"
#include "inlay/impl/thread_pool.hpp"
#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/elementwise-dispatch.hpp"
#include "inlay/kernels/gemm-dispatch.hpp"
#include "inlay/kernels/softmax-dispatch.hpp"
#include "inlay/kernels/reduce-dispatch.hpp"
#include "inlay/kernels/conv-dispatch.hpp"
#include "inlay/kernels/pool-dispatch.hpp"
#include "inlay/kernels/norm-dispatch.hpp"
#include "inlay/kernels/transpose-dispatch.hpp"

extern "C" {
int INLAY_LINK_GUARD = 1;
}

#endif  // INLAY_IMPL_IMPLEMENTATION_HPP
