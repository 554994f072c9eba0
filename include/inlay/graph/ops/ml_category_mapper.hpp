// ai.onnx.ml CategoryMapper (opset 1): strings to int64 categories and back through the paired
// lists cats_strings / cats_int64s, as sklearn-onnx writes an OrdinalEncoder-like lookup;
// strings without a category become default_int64, integers default_string. Implementation-only.
#ifndef INLAY_GRAPH_OPS_ML_CATEGORY_MAPPER_HPP
#define INLAY_GRAPH_OPS_ML_CATEGORY_MAPPER_HPP

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "inlay/graph/ops/ml_common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

class CategoryMapperKernel final : public OpKernel {
 public:
  explicit CategoryMapperKernel(const OpInfo& info)
      : default_int_(info.get_int("default_int64", -1)),
        default_string_(info.get_string("default_string", "_Unused")) {
    const std::vector<std::string> strings = info.get_strings("cats_strings");
    const std::vector<std::int64_t> ints = info.get_ints("cats_int64s");
    if (strings.size() != ints.size()) {
      info.fail(ErrorKind::invalid_model, "cats_strings has " + std::to_string(strings.size()) +
                                              " entries and cats_int64s " +
                                              std::to_string(ints.size()) + "; they pair up");
    }
    // The first pair wins where a string or an integer repeats.
    for (std::size_t i = 0; i < strings.size(); ++i) {
      to_int_.emplace(strings[i], ints[i]);
      to_string_.emplace(ints[i], strings[i]);
    }
  }
  bool accepts_strings() const override { return true; }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() == DType::string) {
      Tensor& y = ctx.output(0, DType::i64, x.shape());
      for (std::int64_t e = 0; e < x.numel(); ++e) {
        const auto it = to_int_.find(x.data<std::string>()[e]);
        y.data<std::int64_t>()[e] = it == to_int_.end() ? default_int_ : it->second;
      }
    } else if (x.dtype() == DType::i64) {
      Tensor& y = ctx.output(0, DType::string, x.shape());
      for (std::int64_t e = 0; e < x.numel(); ++e) {
        const auto it = to_string_.find(x.data<std::int64_t>()[e]);
        y.data<std::string>()[e] = it == to_string_.end() ? default_string_ : it->second;
      }
    } else {
      ctx.fail(ErrorKind::unsupported_op, std::string("X has dtype ") + dtype_name(x.dtype()) +
                                              "; CategoryMapper maps string or int64");
    }
  }

 private:
  std::int64_t default_int_;
  std::string default_string_;
  std::map<std::string, std::int64_t> to_int_;
  std::map<std::int64_t, std::string> to_string_;
};

inline void register_ml_category_mapper_ops(OpSet& ops) {
  ops.add("ai.onnx.ml", "CategoryMapper", 1, factory<CategoryMapperKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_ML_CATEGORY_MAPPER_HPP
