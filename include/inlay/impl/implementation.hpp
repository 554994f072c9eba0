// The implementation: compiled in the one translation unit that defines INLAY_IMPLEMENTATION.
// Highway's foreach_target re-includes inlay/inlay.hpp once per CPU target with
// INLAY_KERNEL_PASS defined, which compiles every kernel body (impl/kernels-inl.hpp) into the
// namespace of that target; the *-dispatch.hpp files then define the public kernel entry points,
// each a call through a table indexed by the target chosen at run time (impl/dispatch.hpp).
//
// Include inlay before any Highway header in this translation unit: the target list is fixed by
// the first inclusion of Highway. Define HWY_DISABLED_TARGETS to compile fewer targets.
//
// Splitting: to compile the implementation as P translation units (in parallel, or to bound the
// compiler's memory), define INLAY_IMPLEMENTATION_PARTS=P and INLAY_IMPLEMENTATION_PART=1..P, one
// value per unit, besides INLAY_IMPLEMENTATION. Part 1 holds the core (errors, thread pool,
// target choice, ONNX reader, typed door). Where the graph door goes:
//   P < 3:  kernel family i goes to part i % P + 1, and the graph door to part 1;
//   P = 3:  the graph door has part 3 to itself; family i goes to part i % 2 + 1;
//   P >= 4: part 1 holds the core alone (it compiles as long as the kernels together); kernel
//           family i goes to part i % (P - 3) + 2; the graph door's op families are split in two
//           groups (graph/ops/registry.hpp): the loader, the session and group 0 in part P, group
//           1 in part P - 1. Four parts keep every unit under about a minute and 1.5 GB with
//           g++ -O2 (docs/design.md).
// inlay_add_implementation(<target>) makes four parts unless given PARTS.
#ifndef INLAY_IMPL_IMPLEMENTATION_HPP
#define INLAY_IMPL_IMPLEMENTATION_HPP

#if defined(INLAY_IMPLEMENTATION_PARTS) != defined(INLAY_IMPLEMENTATION_PART)
#error "inlay: define both INLAY_IMPLEMENTATION_PARTS and INLAY_IMPLEMENTATION_PART, or neither"
#endif
#ifdef INLAY_IMPLEMENTATION_PARTS
#if INLAY_IMPLEMENTATION_PART < 1 || INLAY_IMPLEMENTATION_PART > INLAY_IMPLEMENTATION_PARTS
#error "inlay: INLAY_IMPLEMENTATION_PART must be in 1..INLAY_IMPLEMENTATION_PARTS"
#endif
#if INLAY_IMPLEMENTATION_PARTS >= 4
#define INLAY_IMPLEMENTS_FAMILY(index) \
  ((index) % (INLAY_IMPLEMENTATION_PARTS - 3) + 2 == INLAY_IMPLEMENTATION_PART)
#define INLAY_IMPLEMENTS_GRAPH (INLAY_IMPLEMENTATION_PART == INLAY_IMPLEMENTATION_PARTS)
#define INLAY_IMPLEMENTS_OP_GROUP(group) \
  (INLAY_IMPLEMENTATION_PART == INLAY_IMPLEMENTATION_PARTS - (group))
#elif INLAY_IMPLEMENTATION_PARTS == 3
// The graph door (operators, loader, session) alone in the last part: editing an operator then
// recompiles no kernel. Kernel families spread over the other parts.
#define INLAY_IMPLEMENTS_FAMILY(index) ((index) % 2 + 1 == INLAY_IMPLEMENTATION_PART)
#define INLAY_IMPLEMENTS_GRAPH (INLAY_IMPLEMENTATION_PART == 3)
#define INLAY_IMPLEMENTS_OP_GROUP(group) INLAY_IMPLEMENTS_GRAPH
#else
// Whether kernel family `index` (INLAY_FAMILY_<name> below) belongs to this part.
#define INLAY_IMPLEMENTS_FAMILY(index) \
  ((index) % INLAY_IMPLEMENTATION_PARTS + 1 == INLAY_IMPLEMENTATION_PART)
#define INLAY_IMPLEMENTS_GRAPH (INLAY_IMPLEMENTATION_PART == 1)
#define INLAY_IMPLEMENTS_OP_GROUP(group) INLAY_IMPLEMENTS_GRAPH
#endif
#define INLAY_IMPLEMENTS_CORE (INLAY_IMPLEMENTATION_PART == 1)
#else
#define INLAY_IMPLEMENTS_FAMILY(index) 1
#define INLAY_IMPLEMENTS_CORE 1
#define INLAY_IMPLEMENTS_GRAPH 1
#define INLAY_IMPLEMENTS_OP_GROUP(group) 1
#endif
// Whether this part compiles any of the graph door's operators.
#define INLAY_IMPLEMENTS_OPS (INLAY_IMPLEMENTS_OP_GROUP(0) || INLAY_IMPLEMENTS_OP_GROUP(1))

// The kernel families, numbered once: impl/kernels-inl.hpp compiles each family's bodies
// (kernels/<family>-inl.hpp) and the end of this file its entry points
// (kernels/<family>-dispatch.hpp), both under INLAY_IMPLEMENTS(<family>). A new family gets the
// next number here.
#define INLAY_FAMILY_elementwise 0
#define INLAY_FAMILY_gemm 1
#define INLAY_FAMILY_softmax 2
#define INLAY_FAMILY_reduce 3
#define INLAY_FAMILY_conv 4
#define INLAY_FAMILY_pool 5
#define INLAY_FAMILY_norm 6
#define INLAY_FAMILY_transpose 7
#define INLAY_FAMILY_winograd 8
#define INLAY_FAMILY_quantize 9
#define INLAY_FAMILY_qgemm 10
#define INLAY_IMPLEMENTS(family) INLAY_IMPLEMENTS_FAMILY(INLAY_FAMILY_##family)

#ifndef HWY_WANT_AVX3_DL
#define HWY_WANT_AVX3_DL  // AVX-512 VNNI/VBMI2 (Ice Lake, Zen 4): worth a target of its own
#endif

// Plain C++ that the int8 GEMM's bodies (the kernel passes below) and its entry points both use:
// first met here, before the passes and outside every part's condition (tools/amalgamate).
#include "inlay/kernels/impl/qgemm_pack.hpp"

#define INLAY_KERNEL_PASS
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "inlay/inlay.hpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>
#include "inlay/inlay.hpp"  // the pass for the static (baseline) target
#undef INLAY_KERNEL_PASS

#include "inlay/impl/dispatch.hpp"
// Read by the core and by several kernel families' entry points: first met here, outside every
// part's condition, so that the single header has it in each part (tools/amalgamate).
#include "inlay/kernels/impl/paths.hpp"
#if INLAY_IMPLEMENTS_CORE
#include "inlay/impl/core.hpp"
#include "inlay/onnx/implementation.hpp"
#include "inlay/onnx/writer_implementation.hpp"
#include "inlay/data/implementation.hpp"
#include "inlay/metrics/implementation.hpp"
#include "inlay/plot/implementation.hpp"
#include "inlay/nn/implementation.hpp"
#include "inlay/image/implementation.hpp"
#include "inlay/quantize/implementation.hpp"
#include "inlay/kernels/recurrent_implementation.hpp"
#include "inlay/kernels/inverted_bottleneck_implementation.hpp"
#include "inlay/kernels/conv_plan_implementation.hpp"
#endif
#if INLAY_IMPLEMENTS_OPS
// The operators first, under the wider condition: the single header holds a header's text where
// it is first met (tools/amalgamate).
#include "inlay/graph/ops/registry.hpp"
#endif
#if INLAY_IMPLEMENTS_GRAPH
#include "inlay/graph/implementation.hpp"
#endif
#if INLAY_IMPLEMENTS(elementwise)
#include "inlay/kernels/elementwise-dispatch.hpp"
#endif
#if INLAY_IMPLEMENTS(gemm)
#include "inlay/kernels/gemm-dispatch.hpp"
#endif
#if INLAY_IMPLEMENTS(softmax)
#include "inlay/kernels/softmax-dispatch.hpp"
#endif
#if INLAY_IMPLEMENTS(reduce)
#include "inlay/kernels/reduce-dispatch.hpp"
#endif
#if INLAY_IMPLEMENTS(conv)
#include "inlay/kernels/conv-dispatch.hpp"
#endif
#if INLAY_IMPLEMENTS(pool)
#include "inlay/kernels/pool-dispatch.hpp"
#endif
#if INLAY_IMPLEMENTS(norm)
#include "inlay/kernels/norm-dispatch.hpp"
#endif
#if INLAY_IMPLEMENTS(transpose)
#include "inlay/kernels/transpose-dispatch.hpp"
#endif
#if INLAY_IMPLEMENTS(winograd)
#include "inlay/kernels/winograd-dispatch.hpp"
#endif
#if INLAY_IMPLEMENTS(quantize)
#include "inlay/kernels/quantize-dispatch.hpp"
#endif
#if INLAY_IMPLEMENTS(qgemm)
#include "inlay/kernels/qgemm-dispatch.hpp"
#endif

#endif  // INLAY_IMPL_IMPLEMENTATION_HPP
