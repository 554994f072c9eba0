// ai.onnx.ml ZipMap (opset 1): class scores [N, C] (or [C]) to a sequence of N maps {label:
// score}, the labels classlabels_int64s or classlabels_strings; sklearn-onnx puts it after every
// classifier by default. The maps share one keys tensor (see ContainerValue). Implementation-only.
#ifndef INLAY_GRAPH_OPS_ML_ZIPMAP_HPP
#define INLAY_GRAPH_OPS_ML_ZIPMAP_HPP

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "inlay/graph/ops/ml_common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

class ZipMapKernel final : public OpKernel {
 public:
  explicit ZipMapKernel(const OpInfo& info) : labels_(ml_labels(info, "classlabels_int64s")) {
    const auto c = static_cast<std::int64_t>(labels_.size());
    keys_ = Tensor(labels_.strings ? DType::string : DType::i64, Shape{c});
    for (std::size_t i = 0; i < labels_.size(); ++i) {
      if (labels_.strings) {
        keys_.data<std::string>()[i] = labels_.names[i];
      } else {
        keys_.data<std::int64_t>()[i] = labels_.ints[i];
      }
    }
  }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::f32) {
      ctx.fail(ErrorKind::unsupported_op,
               std::string("X has dtype ") + dtype_name(x.dtype()) + "; ZipMap takes float");
    }
    if (x.rank() != 1 && x.rank() != 2) {
      ctx.fail(ErrorKind::shape_mismatch, "X " + x.shape().to_string() + " must be [C] or [N, C]");
    }
    const std::int64_t n = x.rank() == 1 ? 1 : x.shape()[0];
    const std::int64_t c = x.shape()[x.rank() - 1];
    if (c != keys_.numel()) {
      ctx.fail(ErrorKind::shape_mismatch, "X has " + std::to_string(c) + " scores per row for " +
                                              std::to_string(keys_.numel()) + " class labels");
    }
    auto maps = std::make_shared<ContainerValue>();
    maps->kind = ContainerValue::Kind::map_sequence;
    maps->dtype = DType::f32;
    maps->key_dtype = keys_.dtype();
    maps->tensors.reserve(static_cast<std::size_t>(2 * n));
    for (std::int64_t r = 0; r < n; ++r) {
      Tensor values(DType::f32, Shape{c});
      if (c)
        std::memcpy(values.data<float>(), x.data<float>() + r * c,
                    sizeof(float) * static_cast<std::size_t>(c));
      maps->tensors.push_back(keys_);
      maps->tensors.push_back(std::move(values));
    }
    ctx.set_output_container(0, std::move(maps));
  }

 private:
  MlLabels labels_;
  Tensor keys_;
};

inline void register_ml_zipmap_ops(OpSet& ops) {
  ops.add("ai.onnx.ml", "ZipMap", 1, factory<ZipMapKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_ML_ZIPMAP_HPP
