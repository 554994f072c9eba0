// Normalization: BatchNormalization, LayerNormalization, InstanceNormalization, GroupNormalization, LRN. Implementation-only.
#ifndef INLAY_GRAPH_OPS_NORM_HPP
#define INLAY_GRAPH_OPS_NORM_HPP

#include "inlay/graph/ops/common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

inline void register_norm_ops(OpSet& ops) {
  (void)ops;
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_NORM_HPP
