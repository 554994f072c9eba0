// Data movement: Transpose, Concat, Split, Slice, Gather*, Scatter*, Expand, Tile, Pad, Resize, DepthToSpace, SpaceToDepth, NonZero, OneHot, Trilu. Implementation-only.
#ifndef INLAY_GRAPH_OPS_MOVEMENT_HPP
#define INLAY_GRAPH_OPS_MOVEMENT_HPP

#include "inlay/graph/ops/common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

inline void register_movement_ops(OpSet& ops) {
  (void)ops;
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_MOVEMENT_HPP
