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
#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/int8_operands.hpp"
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

const std::vector<OpFamily>& builtin_op_families() {
  static const std::vector<OpFamily> families = {
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_CONTROL)
    {"control", graph::ops::register_control_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_CONV)
    {"conv", graph::ops::register_conv_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_DETECTION)
    {"detection", graph::ops::register_detection_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_DYNAMIC_QUANTIZE_MATMUL)
    {"dynamic_quantize_matmul", graph::ops::register_dynamic_quantize_matmul_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ELEMENTWISE)
    {"elementwise", graph::ops::register_elementwise_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_GATHER_SCATTER)
    {"gather_scatter", graph::ops::register_gather_scatter_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_GEMM)
    {"gemm", graph::ops::register_gemm_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_GRID_SAMPLE)
    {"grid_sample", graph::ops::register_grid_sample_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_INVERTED_BOTTLENECK)
    {"inverted_bottleneck", graph::ops::register_inverted_bottleneck_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_LINALG)
    {"linalg", graph::ops::register_linalg_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_CATEGORY_MAPPER)
    {"ml_category_mapper", graph::ops::register_ml_category_mapper_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_DICT_VECTORIZER)
    {"ml_dict_vectorizer", graph::ops::register_ml_dict_vectorizer_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_FEATURES)
    {"ml_features", graph::ops::register_ml_features_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_LABEL_ENCODER)
    {"ml_label_encoder", graph::ops::register_ml_label_encoder_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_LINEAR)
    {"ml_linear", graph::ops::register_ml_linear_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_PREPROCESS)
    {"ml_preprocess", graph::ops::register_ml_preprocess_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_SVM)
    {"ml_svm", graph::ops::register_ml_svm_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_TREE_ENSEMBLE)
    {"ml_tree_ensemble", graph::ops::register_ml_tree_ensemble_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_ML_ZIPMAP)
    {"ml_zipmap", graph::ops::register_ml_zipmap_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_MOVEMENT)
    {"movement", graph::ops::register_movement_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_NORM)
    {"norm", graph::ops::register_norm_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_POOL)
    {"pool", graph::ops::register_pool_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_QLINEAR_ELEMENTWISE)
    {"qlinear_elementwise", graph::ops::register_qlinear_elementwise_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_QUANTIZE)
    {"quantize", graph::ops::register_quantize_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_RECURRENT)
    {"recurrent", graph::ops::register_recurrent_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_REDUCE)
    {"reduce", graph::ops::register_reduce_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_RESIZE)
    {"resize", graph::ops::register_resize_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SELECTION)
    {"selection", graph::ops::register_selection_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SEQUENCE)
    {"sequence", graph::ops::register_sequence_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SHAPE)
    {"shape", graph::ops::register_shape_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SIGNAL)
    {"signal", graph::ops::register_signal_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_SOFTMAX)
    {"softmax", graph::ops::register_softmax_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_STRING_NORMALIZER)
    {"string_normalizer", graph::ops::register_string_normalizer_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_TEXT)
    {"text", graph::ops::register_text_ops},
#endif
#if !defined(INLAY_OPS_ONLY) || defined(INLAY_OP_TRAINING)
    {"training", graph::ops::register_training_ops},
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

INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_REGISTRY_HPP
