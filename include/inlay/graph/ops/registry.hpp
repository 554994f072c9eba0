// inlay's built-in operator table: every ops/<family>.hpp registers its operators here.
// Implementation-only.
//
// Selective builds: define INLAY_OPS_ONLY and one INLAY_OP_<FAMILY> per op family wanted (e.g.
// INLAY_OP_GEMM) in the implementation unit, and only those families are registered; the
// kernels of the others are then unreferenced and a linker with garbage collection
// (-ffunction-sections -fdata-sections -Wl,--gc-sections) leaves them out. A model that needs a
// missing family fails at load with an Error naming the op, its family and this build's
// families (graph/impl/compile.hpp). The families and their ops: docs/families.md, or
// `inlay ops --list`; `inlay ops MODEL...` prints what given models need.
#ifndef INLAY_GRAPH_OPS_REGISTRY_HPP
#define INLAY_GRAPH_OPS_REGISTRY_HPP

#include <vector>

#include "inlay/graph/op_families.hpp"
#include "inlay/graph/ops/catalog.hpp"

#if defined(INLAY_OPS_ONLY)
// Op-family headers that other families' headers include: those are read for them too (a header
// met first inside a disabled block would be missing from the single header, tools/amalgamate).
#if defined(INLAY_OP_CONTROL)
#define INLAY_OPS_READ_CONTROL
#endif
#if defined(INLAY_OP_CONV) || defined(INLAY_OP_POOL) || defined(INLAY_OP_QLINEAR_ELEMENTWISE)
#define INLAY_OPS_READ_CONV
#endif
#if defined(INLAY_OP_DETECTION)
#define INLAY_OPS_READ_DETECTION
#endif
#if defined(INLAY_OP_DYNAMIC_QUANTIZE_MATMUL)
#define INLAY_OPS_READ_DYNAMIC_QUANTIZE_MATMUL
#endif
#if defined(INLAY_OP_ELEMENTWISE) || defined(INLAY_OP_REDUCE)
#define INLAY_OPS_READ_ELEMENTWISE
#endif
#if defined(INLAY_OP_GATHER_SCATTER)
#define INLAY_OPS_READ_GATHER_SCATTER
#endif
#if defined(INLAY_OP_GEMM)
#define INLAY_OPS_READ_GEMM
#endif
#if defined(INLAY_OP_GRID_SAMPLE)
#define INLAY_OPS_READ_GRID_SAMPLE
#endif
#if defined(INLAY_OP_INVERTED_BOTTLENECK)
#define INLAY_OPS_READ_INVERTED_BOTTLENECK
#endif
#if defined(INLAY_OP_LINALG)
#define INLAY_OPS_READ_LINALG
#endif
#if defined(INLAY_OP_ML_CATEGORY_MAPPER)
#define INLAY_OPS_READ_ML_CATEGORY_MAPPER
#endif
#if defined(INLAY_OP_ML_DICT_VECTORIZER)
#define INLAY_OPS_READ_ML_DICT_VECTORIZER
#endif
#if defined(INLAY_OP_ML_FEATURES)
#define INLAY_OPS_READ_ML_FEATURES
#endif
#if defined(INLAY_OP_ML_LABEL_ENCODER)
#define INLAY_OPS_READ_ML_LABEL_ENCODER
#endif
#if defined(INLAY_OP_ML_LINEAR)
#define INLAY_OPS_READ_ML_LINEAR
#endif
#if defined(INLAY_OP_ML_PREPROCESS)
#define INLAY_OPS_READ_ML_PREPROCESS
#endif
#if defined(INLAY_OP_ML_SVM)
#define INLAY_OPS_READ_ML_SVM
#endif
#if defined(INLAY_OP_ML_TREE_ENSEMBLE)
#define INLAY_OPS_READ_ML_TREE_ENSEMBLE
#endif
#if defined(INLAY_OP_ML_ZIPMAP)
#define INLAY_OPS_READ_ML_ZIPMAP
#endif
#if defined(INLAY_OP_MOVEMENT)
#define INLAY_OPS_READ_MOVEMENT
#endif
#if defined(INLAY_OP_NORM)
#define INLAY_OPS_READ_NORM
#endif
#if defined(INLAY_OP_POOL) || defined(INLAY_OP_QLINEAR_ELEMENTWISE)
#define INLAY_OPS_READ_POOL
#endif
#if defined(INLAY_OP_QLINEAR_ELEMENTWISE)
#define INLAY_OPS_READ_QLINEAR_ELEMENTWISE
#endif
#if defined(INLAY_OP_QUANTIZE) || defined(INLAY_OP_DYNAMIC_QUANTIZE_MATMUL)
#define INLAY_OPS_READ_QUANTIZE
#endif
#if defined(INLAY_OP_RECURRENT)
#define INLAY_OPS_READ_RECURRENT
#endif
#if defined(INLAY_OP_REDUCE)
#define INLAY_OPS_READ_REDUCE
#endif
#if defined(INLAY_OP_RESIZE) || defined(INLAY_OP_GRID_SAMPLE)
#define INLAY_OPS_READ_RESIZE
#endif
#if defined(INLAY_OP_SELECTION)
#define INLAY_OPS_READ_SELECTION
#endif
#if defined(INLAY_OP_SEQUENCE)
#define INLAY_OPS_READ_SEQUENCE
#endif
#if defined(INLAY_OP_SHAPE) || defined(INLAY_OP_MOVEMENT) || defined(INLAY_OP_TEXT) || \
    defined(INLAY_OP_SELECTION) || defined(INLAY_OP_GRID_SAMPLE) ||                    \
    defined(INLAY_OP_GATHER_SCATTER) || defined(INLAY_OP_RESIZE)
#define INLAY_OPS_READ_SHAPE
#endif
#if defined(INLAY_OP_SIGNAL)
#define INLAY_OPS_READ_SIGNAL
#endif
#if defined(INLAY_OP_SOFTMAX)
#define INLAY_OPS_READ_SOFTMAX
#endif
#if defined(INLAY_OP_STRING_NORMALIZER)
#define INLAY_OPS_READ_STRING_NORMALIZER
#endif
#if defined(INLAY_OP_TEXT)
#define INLAY_OPS_READ_TEXT
#endif
#if defined(INLAY_OP_TRAINING)
#define INLAY_OPS_READ_TRAINING
#endif
#endif

// First the helpers several families share and the families that others include: the single
// header holds a header's text where it is first met, so that must be under the widest guard.
// The loader's own headers that families include, or that name a family's op (the fusion passes
// name inlay:InvertedBottleneck): the graph door's part reads them here first, and so does a part
// that holds only op families.
#include "inlay/graph/impl/ir.hpp"
#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/int8_operands.hpp"
#include "inlay/graph/ops/inverted_bottleneck.hpp"
#include "inlay/graph/ops/ml_common.hpp"
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_SHAPE)
#include "inlay/graph/ops/shape.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_ELEMENTWISE)
#include "inlay/graph/ops/elementwise.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_CONV)
#include "inlay/graph/ops/conv.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_POOL)
#include "inlay/graph/ops/pool.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_QUANTIZE)
#include "inlay/graph/ops/quantize.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_RESIZE)
#include "inlay/graph/ops/resize.hpp"
#endif
// Then every family.
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_CONTROL)
#include "inlay/graph/ops/control.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_CONV)
#include "inlay/graph/ops/conv.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_DETECTION)
#include "inlay/graph/ops/detection.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_DYNAMIC_QUANTIZE_MATMUL)
#include "inlay/graph/ops/dynamic_quantize_matmul.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_ELEMENTWISE)
#include "inlay/graph/ops/elementwise.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_GATHER_SCATTER)
#include "inlay/graph/ops/gather_scatter.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_GEMM)
#include "inlay/graph/ops/gemm.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_GRID_SAMPLE)
#include "inlay/graph/ops/grid_sample.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_INVERTED_BOTTLENECK)
#include "inlay/graph/ops/inverted_bottleneck.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_LINALG)
#include "inlay/graph/ops/linalg.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_ML_CATEGORY_MAPPER)
#include "inlay/graph/ops/ml_category_mapper.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_ML_DICT_VECTORIZER)
#include "inlay/graph/ops/ml_dict_vectorizer.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_ML_FEATURES)
#include "inlay/graph/ops/ml_features.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_ML_LABEL_ENCODER)
#include "inlay/graph/ops/ml_label_encoder.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_ML_LINEAR)
#include "inlay/graph/ops/ml_linear.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_ML_PREPROCESS)
#include "inlay/graph/ops/ml_preprocess.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_ML_SVM)
#include "inlay/graph/ops/ml_svm.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_ML_TREE_ENSEMBLE)
#include "inlay/graph/ops/ml_tree_ensemble.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_ML_ZIPMAP)
#include "inlay/graph/ops/ml_zipmap.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_MOVEMENT)
#include "inlay/graph/ops/movement.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_NORM)
#include "inlay/graph/ops/norm.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_POOL)
#include "inlay/graph/ops/pool.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_QLINEAR_ELEMENTWISE)
#include "inlay/graph/ops/qlinear_elementwise.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_QUANTIZE)
#include "inlay/graph/ops/quantize.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_RECURRENT)
#include "inlay/graph/ops/recurrent.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_REDUCE)
#include "inlay/graph/ops/reduce.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_RESIZE)
#include "inlay/graph/ops/resize.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_SELECTION)
#include "inlay/graph/ops/selection.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_SEQUENCE)
#include "inlay/graph/ops/sequence.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_SHAPE)
#include "inlay/graph/ops/shape.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_SIGNAL)
#include "inlay/graph/ops/signal.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_SOFTMAX)
#include "inlay/graph/ops/softmax.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_STRING_NORMALIZER)
#include "inlay/graph/ops/string_normalizer.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_TEXT)
#include "inlay/graph/ops/text.hpp"
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OPS_READ_TRAINING)
#include "inlay/graph/ops/training.hpp"
#endif

INLAY_NAMESPACE_BEGIN

// Each family's registration is a function of the part that compiles the family's operators
// (INLAY_IMPLEMENTS_OP_GROUP, impl/implementation.hpp), so that builtin_op_families() below, in
// the graph door's part, can name families compiled in another part. The group numbers balance
// the two parts' compile times (measured with g++ -O2; docs/design.md).
#if INLAY_IMPLEMENTS_OP_GROUP(0)
#define INLAY_OP_FAMILY_DEFINE_0(name) \
  void graph::ops::families::add_##name(OpSet& ops) { graph::ops::register_##name##_ops(ops); }
#else
#define INLAY_OP_FAMILY_DEFINE_0(name)
#endif
#if INLAY_IMPLEMENTS_OP_GROUP(1)
#define INLAY_OP_FAMILY_DEFINE_1(name) \
  void graph::ops::families::add_##name(OpSet& ops) { graph::ops::register_##name##_ops(ops); }
#else
#define INLAY_OP_FAMILY_DEFINE_1(name)
#endif
#define INLAY_OP_FAMILY(name, group) \
  namespace graph::ops::families {   \
  void add_##name(OpSet& ops);       \
  }                                  \
  INLAY_OP_FAMILY_DEFINE_##group(name)
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_CONTROL)
INLAY_OP_FAMILY(control, 0)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_CONV)
INLAY_OP_FAMILY(conv, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_DETECTION)
INLAY_OP_FAMILY(detection, 0)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_DYNAMIC_QUANTIZE_MATMUL)
INLAY_OP_FAMILY(dynamic_quantize_matmul, 0)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ELEMENTWISE)
INLAY_OP_FAMILY(elementwise, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_GATHER_SCATTER)
INLAY_OP_FAMILY(gather_scatter, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_GEMM)
INLAY_OP_FAMILY(gemm, 0)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_GRID_SAMPLE)
INLAY_OP_FAMILY(grid_sample, 0)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_INVERTED_BOTTLENECK)
INLAY_OP_FAMILY(inverted_bottleneck, 0)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_LINALG)
INLAY_OP_FAMILY(linalg, 0)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_CATEGORY_MAPPER)
INLAY_OP_FAMILY(ml_category_mapper, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_DICT_VECTORIZER)
INLAY_OP_FAMILY(ml_dict_vectorizer, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_FEATURES)
INLAY_OP_FAMILY(ml_features, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_LABEL_ENCODER)
INLAY_OP_FAMILY(ml_label_encoder, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_LINEAR)
INLAY_OP_FAMILY(ml_linear, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_PREPROCESS)
INLAY_OP_FAMILY(ml_preprocess, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_SVM)
INLAY_OP_FAMILY(ml_svm, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_TREE_ENSEMBLE)
INLAY_OP_FAMILY(ml_tree_ensemble, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_ZIPMAP)
INLAY_OP_FAMILY(ml_zipmap, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_MOVEMENT)
INLAY_OP_FAMILY(movement, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_NORM)
INLAY_OP_FAMILY(norm, 0)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_POOL)
INLAY_OP_FAMILY(pool, 0)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_QLINEAR_ELEMENTWISE)
INLAY_OP_FAMILY(qlinear_elementwise, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_QUANTIZE)
INLAY_OP_FAMILY(quantize, 0)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_RECURRENT)
INLAY_OP_FAMILY(recurrent, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_REDUCE)
INLAY_OP_FAMILY(reduce, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_RESIZE)
INLAY_OP_FAMILY(resize, 0)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SELECTION)
INLAY_OP_FAMILY(selection, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SEQUENCE)
INLAY_OP_FAMILY(sequence, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SHAPE)
INLAY_OP_FAMILY(shape, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SIGNAL)
INLAY_OP_FAMILY(signal, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SOFTMAX)
INLAY_OP_FAMILY(softmax, 0)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_STRING_NORMALIZER)
INLAY_OP_FAMILY(string_normalizer, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_TEXT)
INLAY_OP_FAMILY(text, 1)
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_TRAINING)
INLAY_OP_FAMILY(training, 0)
#endif
#undef INLAY_OP_FAMILY
#undef INLAY_OP_FAMILY_DEFINE_0
#undef INLAY_OP_FAMILY_DEFINE_1

#if INLAY_IMPLEMENTS_GRAPH
const std::vector<OpFamily>& builtin_op_families() {
  static const std::vector<OpFamily> families = {
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_CONTROL)
    {"control", graph::ops::families::add_control},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_CONV)
    {"conv", graph::ops::families::add_conv},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_DETECTION)
    {"detection", graph::ops::families::add_detection},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_DYNAMIC_QUANTIZE_MATMUL)
    {"dynamic_quantize_matmul", graph::ops::families::add_dynamic_quantize_matmul},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ELEMENTWISE)
    {"elementwise", graph::ops::families::add_elementwise},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_GATHER_SCATTER)
    {"gather_scatter", graph::ops::families::add_gather_scatter},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_GEMM)
    {"gemm", graph::ops::families::add_gemm},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_GRID_SAMPLE)
    {"grid_sample", graph::ops::families::add_grid_sample},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_INVERTED_BOTTLENECK)
    {"inverted_bottleneck", graph::ops::families::add_inverted_bottleneck},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_LINALG)
    {"linalg", graph::ops::families::add_linalg},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_CATEGORY_MAPPER)
    {"ml_category_mapper", graph::ops::families::add_ml_category_mapper},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_DICT_VECTORIZER)
    {"ml_dict_vectorizer", graph::ops::families::add_ml_dict_vectorizer},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_FEATURES)
    {"ml_features", graph::ops::families::add_ml_features},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_LABEL_ENCODER)
    {"ml_label_encoder", graph::ops::families::add_ml_label_encoder},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_LINEAR)
    {"ml_linear", graph::ops::families::add_ml_linear},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_PREPROCESS)
    {"ml_preprocess", graph::ops::families::add_ml_preprocess},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_SVM)
    {"ml_svm", graph::ops::families::add_ml_svm},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_TREE_ENSEMBLE)
    {"ml_tree_ensemble", graph::ops::families::add_ml_tree_ensemble},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_ZIPMAP)
    {"ml_zipmap", graph::ops::families::add_ml_zipmap},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_MOVEMENT)
    {"movement", graph::ops::families::add_movement},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_NORM)
    {"norm", graph::ops::families::add_norm},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_POOL)
    {"pool", graph::ops::families::add_pool},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_QLINEAR_ELEMENTWISE)
    {"qlinear_elementwise", graph::ops::families::add_qlinear_elementwise},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_QUANTIZE)
    {"quantize", graph::ops::families::add_quantize},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_RECURRENT)
    {"recurrent", graph::ops::families::add_recurrent},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_REDUCE)
    {"reduce", graph::ops::families::add_reduce},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_RESIZE)
    {"resize", graph::ops::families::add_resize},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SELECTION)
    {"selection", graph::ops::families::add_selection},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SEQUENCE)
    {"sequence", graph::ops::families::add_sequence},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SHAPE)
    {"shape", graph::ops::families::add_shape},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SIGNAL)
    {"signal", graph::ops::families::add_signal},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SOFTMAX)
    {"softmax", graph::ops::families::add_softmax},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_STRING_NORMALIZER)
    {"string_normalizer", graph::ops::families::add_string_normalizer},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_TEXT)
    {"text", graph::ops::families::add_text},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_TRAINING)
    {"training", graph::ops::families::add_training},
#endif
  };
  return families;
}

const OpSet& builtin_ops() {
  static const OpSet table = [] {
    OpSet ops;
    for (const OpFamily& family : builtin_op_families()) family.add(ops);
    return ops;
  }();
  return table;
}

const char* builtin_op_family(std::string_view domain, std::string_view op_type) {
  if (domain == "ai.onnx") domain = "";
  for (const graph::ops::CatalogEntry& e : graph::ops::op_catalog) {
    if (domain == e.domain && op_type == e.op_type) return e.family;
  }
  return nullptr;
}

std::string builtin_op_selection() {
#if defined(INLAY_OPS_ONLY)
  std::string names;
  for (const OpFamily& family : builtin_op_families()) {
    if (!names.empty()) names += ',';
    names += family.name;
  }
  return names.empty() ? std::string("(none)") : names;
#else
  return "all";
#endif
}
#endif  // INLAY_IMPLEMENTS_GRAPH

INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_REGISTRY_HPP
