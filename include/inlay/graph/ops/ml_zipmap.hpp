// ai.onnx.ml ZipMap turns class scores into a sequence of maps (one {label: probability} per
// row), a type inlay's tensors cannot hold: it is refused at load with the way around it,
// exporting without it. Implementation-only.
#ifndef INLAY_GRAPH_OPS_ML_ZIPMAP_HPP
#define INLAY_GRAPH_OPS_ML_ZIPMAP_HPP

#include <memory>

#include "inlay/graph/ops/common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

inline void register_ml_zipmap_ops(OpSet& ops) {
  ops.add("ai.onnx.ml", "ZipMap", 1, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    info.fail(ErrorKind::unsupported_op,
              "ZipMap outputs a sequence of maps, which inlay does not support; export the "
              "classifier with sklearn-onnx option zipmap=False (options={id(model): "
              "{'zipmap': False}}) to get the probabilities as a tensor");
  });
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_ML_ZIPMAP_HPP
