// ai.onnx.ml DictVectorizer (opset 1): one map {key: value} to a dense row [1, V] over the
// vocabulary (string_vocabulary or int64_vocabulary), keys outside it dropped and missing ones
// 0, as sklearn-onnx writes a DictVectorizer. Maps are ContainerValues. Implementation-only.
#ifndef INLAY_GRAPH_OPS_ML_DICT_VECTORIZER_HPP
#define INLAY_GRAPH_OPS_ML_DICT_VECTORIZER_HPP

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "inlay/graph/ops/ml_common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

class DictVectorizerKernel final : public OpKernel {
 public:
  explicit DictVectorizerKernel(const OpInfo& info) {
    const std::vector<std::string> names = info.get_strings("string_vocabulary");
    const std::vector<std::int64_t> ints = info.get_ints("int64_vocabulary");
    if (names.empty() == ints.empty()) {
      info.fail(ErrorKind::invalid_model,
                "give exactly one of string_vocabulary and int64_vocabulary");
    }
    strings_ = !names.empty();
    // The first position wins where a key repeats.
    for (std::size_t i = 0; i < names.size(); ++i) by_name_.emplace(names[i], i);
    for (std::size_t i = 0; i < ints.size(); ++i) by_int_.emplace(ints[i], i);
    size_ = strings_ ? names.size() : ints.size();
  }
  bool accepts_strings() const override { return true; }

  void run(OpContext& ctx) const override {
    const ContainerValue& m = ctx.input_container(0);
    if (m.kind != ContainerValue::Kind::map || m.tensors.size() != 2) {
      ctx.fail(ErrorKind::invalid_model, "input 0 is not a map; DictVectorizer needs one");
    }
    const DType key = strings_ ? DType::string : DType::i64;
    const Tensor& keys = m.tensors[0];
    const Tensor& values = m.tensors[1];
    if (keys.dtype() != key) {
      ctx.fail(ErrorKind::invalid_model, std::string("the map's keys are ") +
                                             dtype_name(keys.dtype()) + "; the vocabulary is " +
                                             dtype_name(key));
    }
    if (keys.numel() != values.numel()) {
      ctx.fail(ErrorKind::invalid_argument, "the map has " + std::to_string(keys.numel()) +
                                                " keys and " + std::to_string(values.numel()) +
                                                " values");
    }
    const DType v = values.dtype();
    if (v != DType::f32 && v != DType::f64 && v != DType::i64) {
      ctx.fail(ErrorKind::unsupported_op, std::string("the map's values are ") + dtype_name(v) +
                                              "; DictVectorizer supports float, double, int64");
    }
    Tensor& y = ctx.output(0, v, Shape{1, static_cast<std::int64_t>(size_)});
    if (v == DType::f32) scatter<float>(keys, values, y);
    if (v == DType::f64) scatter<double>(keys, values, y);
    if (v == DType::i64) scatter<std::int64_t>(keys, values, y);
  }

 private:
  // y[position of key] = value for the keys in the vocabulary; 0 elsewhere.
  template <class T>
  void scatter(const Tensor& keys, const Tensor& values, Tensor& y) const {
    T* out = y.data<T>();
    for (std::size_t i = 0; i < size_; ++i) out[i] = T(0);
    for (std::int64_t e = 0; e < keys.numel(); ++e) {
      std::size_t at = size_;
      if (strings_) {
        const auto it = by_name_.find(keys.data<std::string>()[e]);
        if (it != by_name_.end()) at = it->second;
      } else {
        const auto it = by_int_.find(keys.data<std::int64_t>()[e]);
        if (it != by_int_.end()) at = it->second;
      }
      if (at != size_) out[at] = values.data<T>()[e];
    }
  }

  bool strings_ = false;
  std::size_t size_ = 0;
  std::map<std::string, std::size_t> by_name_;
  std::map<std::int64_t, std::size_t> by_int_;
};

inline void register_ml_dict_vectorizer_ops(OpSet& ops) {
  ops.add("ai.onnx.ml", "DictVectorizer", 1, factory<DictVectorizerKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_ML_DICT_VECTORIZER_HPP
