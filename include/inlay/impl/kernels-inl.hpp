// Every kernel body, compiled once per CPU target: no include guard, Highway re-includes this file
// (through inlay/inlay.hpp) with HWY_TARGET set to each target in turn. Each *-inl.hpp below has
// a toggle guard of its own, so it may include the ones it builds on. The families and their
// numbers (which part of a split implementation compiles them) are listed in
// impl/implementation.hpp.
// The helpers several families share (inline code only), outside the families' conditions: the
// single header holds a file's text where it is first met, so a helper first met inside one
// family's block would be missing from a part of a split implementation that lacks that family.
#include "inlay/kernels/activation-inl.hpp"
#include "inlay/kernels/row_ops-inl.hpp"
#include "inlay/kernels/window-inl.hpp"
#if INLAY_IMPLEMENTS(elementwise)
#include "inlay/kernels/elementwise-inl.hpp"
#endif
#if INLAY_IMPLEMENTS(gemm)
#include "inlay/kernels/gemm-inl.hpp"
#include "inlay/kernels/conv_gemm-inl.hpp"
#endif
#if INLAY_IMPLEMENTS(softmax)
#include "inlay/kernels/softmax-inl.hpp"
#endif
#if INLAY_IMPLEMENTS(reduce)
#include "inlay/kernels/reduce-inl.hpp"
#endif
#if INLAY_IMPLEMENTS(conv)
#include "inlay/kernels/conv-inl.hpp"
#include "inlay/kernels/depthwise-inl.hpp"
#endif
#if INLAY_IMPLEMENTS(pool)
#include "inlay/kernels/pool-inl.hpp"
#endif
#if INLAY_IMPLEMENTS(norm)
#include "inlay/kernels/norm-inl.hpp"
#endif
#if INLAY_IMPLEMENTS(transpose)
#include "inlay/kernels/transpose-inl.hpp"
#endif
#if INLAY_IMPLEMENTS(winograd)
#include "inlay/kernels/winograd-inl.hpp"
#endif
#if INLAY_IMPLEMENTS(quantize)
#include "inlay/kernels/quantize-inl.hpp"
#endif
#if INLAY_IMPLEMENTS(qgemm)
#include "inlay/kernels/qgemm-inl.hpp"
#include "inlay/kernels/qdepthwise-inl.hpp"
#endif
