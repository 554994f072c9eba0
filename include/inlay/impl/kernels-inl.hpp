// Every kernel body, compiled once per CPU target: no include guard, Highway re-includes this file
// (through inlay/inlay.hpp) with HWY_TARGET set to each target in turn. Each *-inl.hpp below has
// a toggle guard of its own, so it may include the ones it builds on. The family numbers are the
// ones INLAY_IMPLEMENTS_FAMILY uses to split the implementation (impl/implementation.hpp).
#include "inlay/kernels/activation-inl.hpp"
#if INLAY_IMPLEMENTS_FAMILY(0)
#include "inlay/kernels/elementwise-inl.hpp"
#endif
#if INLAY_IMPLEMENTS_FAMILY(1)
#include "inlay/kernels/gemm-inl.hpp"
#include "inlay/kernels/conv_gemm-inl.hpp"
#endif
#if INLAY_IMPLEMENTS_FAMILY(2)
#include "inlay/kernels/softmax-inl.hpp"
#endif
#if INLAY_IMPLEMENTS_FAMILY(3)
#include "inlay/kernels/reduce-inl.hpp"
#endif
#if INLAY_IMPLEMENTS_FAMILY(4)
#include "inlay/kernels/conv-inl.hpp"
#endif
#if INLAY_IMPLEMENTS_FAMILY(5)
#include "inlay/kernels/pool-inl.hpp"
#endif
#if INLAY_IMPLEMENTS_FAMILY(6)
#include "inlay/kernels/norm-inl.hpp"
#endif
#if INLAY_IMPLEMENTS_FAMILY(7)
#include "inlay/kernels/transpose-inl.hpp"
#endif
#if INLAY_IMPLEMENTS_FAMILY(8)
#include "inlay/kernels/winograd-inl.hpp"
#endif
