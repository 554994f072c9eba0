// inlay's built-in operator table: every ops/<family>.hpp registers its operators here.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_REGISTRY_HPP
#define INLAY_GRAPH_OPS_REGISTRY_HPP

#include "inlay/graph/ops/elementwise.hpp"
#include "inlay/graph/ops/linear.hpp"
#include "inlay/graph/ops/shape.hpp"
#include "inlay/graph/ops/softmax.hpp"

INLAY_NAMESPACE_BEGIN

const OpSet& builtin_ops() {
  static const OpSet table = [] {
    OpSet ops;
    graph::ops::register_elementwise_ops(ops);
    graph::ops::register_linear_ops(ops);
    graph::ops::register_shape_ops(ops);
    graph::ops::register_softmax_ops(ops);
    return ops;
  }();
  return table;
}

INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_REGISTRY_HPP
