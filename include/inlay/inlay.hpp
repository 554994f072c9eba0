// inlay: an embeddable neural-network library for C++17.
//
// Every translation unit may include this header; it declares the API and holds light templates
// only (no Highway, no Eigen). Exactly one translation unit of the program defines
// INLAY_IMPLEMENTATION before including it: that one compiles every kernel once per CPU target
// and the run-time dispatch tables (see inlay/impl/implementation.hpp).
#ifndef INLAY_KERNEL_PASS

#ifndef INLAY_INLAY_HPP
#define INLAY_INLAY_HPP

#include "inlay/core/config.hpp"
#include "inlay/core/error.hpp"
#include "inlay/core/dtype.hpp"
#include "inlay/core/shape.hpp"
#include "inlay/core/aligned.hpp"
#include "inlay/core/tensor.hpp"
#include "inlay/core/executor.hpp"
#include "inlay/core/cpu_target.hpp"
#include "inlay/kernels/activation.hpp"
#include "inlay/kernels/elementwise.hpp"
#include "inlay/kernels/gemm.hpp"
#include "inlay/kernels/softmax.hpp"
#include "inlay/kernels/reduce.hpp"
#include "inlay/kernels/conv.hpp"
#include "inlay/kernels/winograd.hpp"
#include "inlay/kernels/conv_plan.hpp"
#include "inlay/kernels/pool.hpp"
#include "inlay/kernels/norm.hpp"
#include "inlay/kernels/transpose.hpp"
#include "inlay/kernels/recurrent.hpp"
#include "inlay/kernels/inverted_bottleneck.hpp"
#include "inlay/kernels/qdepthwise.hpp"
#include "inlay/kernels/qgemm.hpp"
#include "inlay/kernels/quantize.hpp"
#include "inlay/onnx/proto.hpp"
#include "inlay/onnx/parse.hpp"
#include "inlay/onnx/file.hpp"
#include "inlay/onnx/tensor.hpp"
#include "inlay/onnx/writer.hpp"
#include "inlay/graph/op.hpp"
#include "inlay/graph/model.hpp"
#include "inlay/graph/session.hpp"
#include "inlay/data.hpp"
#include "inlay/metrics.hpp"
#include "inlay/plot.hpp"
#include "inlay/nn.hpp"
#include "inlay/image.hpp"
#include "inlay/quantize.hpp"

// Every translation unit that includes inlay needs the implementation to be linked in; the
// symbol's name tells a reader of the linker error what to do (see core/config.hpp).
extern "C" int INLAY_LINK_GUARD;
namespace {
#if defined(__GNUC__) || defined(__clang__)
__attribute__((used))
#endif
const int* const inlay_link_guard_reference = &INLAY_LINK_GUARD;
}  // namespace

#endif  // INLAY_INLAY_HPP

#ifdef INLAY_IMPLEMENTATION
#include "inlay/impl/implementation.hpp"
#endif

#else  // INLAY_KERNEL_PASS: Highway re-includes this file once per CPU target.
#include "inlay/impl/kernels-inl.hpp"
#endif
