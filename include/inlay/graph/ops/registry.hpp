// inlay's built-in operator table: every ops/<family>.hpp registers its operators here.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_REGISTRY_HPP
#define INLAY_GRAPH_OPS_REGISTRY_HPP

#include "inlay/graph/ops/control.hpp"
#include "inlay/graph/ops/conv.hpp"
#include "inlay/graph/ops/detection.hpp"
#include "inlay/graph/ops/dynamic_quantize_matmul.hpp"
#include "inlay/graph/ops/elementwise.hpp"
#include "inlay/graph/ops/gather_scatter.hpp"
#include "inlay/graph/ops/gemm.hpp"
#include "inlay/graph/ops/grid_sample.hpp"
#include "inlay/graph/ops/inverted_bottleneck.hpp"
#include "inlay/graph/ops/linalg.hpp"
#include "inlay/graph/ops/ml_category_mapper.hpp"
#include "inlay/graph/ops/ml_dict_vectorizer.hpp"
#include "inlay/graph/ops/ml_features.hpp"
#include "inlay/graph/ops/ml_label_encoder.hpp"
#include "inlay/graph/ops/ml_linear.hpp"
#include "inlay/graph/ops/ml_preprocess.hpp"
#include "inlay/graph/ops/ml_svm.hpp"
#include "inlay/graph/ops/ml_tree_ensemble.hpp"
#include "inlay/graph/ops/ml_zipmap.hpp"
#include "inlay/graph/ops/movement.hpp"
#include "inlay/graph/ops/norm.hpp"
#include "inlay/graph/ops/pool.hpp"
#include "inlay/graph/ops/qlinear_elementwise.hpp"
#include "inlay/graph/ops/quantize.hpp"
#include "inlay/graph/ops/recurrent.hpp"
#include "inlay/graph/ops/reduce.hpp"
#include "inlay/graph/ops/resize.hpp"
#include "inlay/graph/ops/selection.hpp"
#include "inlay/graph/ops/sequence.hpp"
#include "inlay/graph/ops/shape.hpp"
#include "inlay/graph/ops/signal.hpp"
#include "inlay/graph/ops/softmax.hpp"
#include "inlay/graph/ops/string_normalizer.hpp"
#include "inlay/graph/ops/text.hpp"
#include "inlay/graph/ops/training.hpp"

INLAY_NAMESPACE_BEGIN

const OpSet& builtin_ops() {
  static const OpSet table = [] {
    OpSet ops;
    graph::ops::register_control_ops(ops);
    graph::ops::register_conv_ops(ops);
    graph::ops::register_detection_ops(ops);
    graph::ops::register_dynamic_quantize_matmul_ops(ops);
    graph::ops::register_elementwise_ops(ops);
    graph::ops::register_gather_scatter_ops(ops);
    graph::ops::register_gemm_ops(ops);
    graph::ops::register_grid_sample_ops(ops);
    graph::ops::register_inverted_bottleneck_ops(ops);
    graph::ops::register_linalg_ops(ops);
    graph::ops::register_ml_category_mapper_ops(ops);
    graph::ops::register_ml_dict_vectorizer_ops(ops);
    graph::ops::register_ml_features_ops(ops);
    graph::ops::register_ml_label_encoder_ops(ops);
    graph::ops::register_ml_linear_ops(ops);
    graph::ops::register_ml_preprocess_ops(ops);
    graph::ops::register_ml_svm_ops(ops);
    graph::ops::register_ml_tree_ensemble_ops(ops);
    graph::ops::register_ml_zipmap_ops(ops);
    graph::ops::register_movement_ops(ops);
    graph::ops::register_norm_ops(ops);
    graph::ops::register_pool_ops(ops);
    graph::ops::register_qlinear_elementwise_ops(ops);
    graph::ops::register_quantize_ops(ops);
    graph::ops::register_recurrent_ops(ops);
    graph::ops::register_reduce_ops(ops);
    graph::ops::register_resize_ops(ops);
    graph::ops::register_selection_ops(ops);
    graph::ops::register_sequence_ops(ops);
    graph::ops::register_shape_ops(ops);
    graph::ops::register_signal_ops(ops);
    graph::ops::register_softmax_ops(ops);
    graph::ops::register_string_normalizer_ops(ops);
    graph::ops::register_text_ops(ops);
    graph::ops::register_training_ops(ops);
    return ops;
  }();
  return table;
}

INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_REGISTRY_HPP
