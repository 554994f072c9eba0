// ai.onnx.ml LabelEncoder: a lookup table from keys to values, elements without a key getting
// the default. Opset 1 maps strings to their index in classes_strings or indices back to
// strings; opset 2 maps int64, float or string keys to int64, float or string values. The
// opset 4 tensor attributes (keys_tensor, ...) are refused. Implementation-only.
#ifndef INLAY_GRAPH_OPS_ML_LABEL_ENCODER_HPP
#define INLAY_GRAPH_OPS_ML_LABEL_ENCODER_HPP

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "inlay/graph/ops/ml_common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// One key or value: the field its dtype uses.
struct LabelValue {
  std::int64_t i = 0;
  float f = 0.0f;
  std::string s;
};

// Orders keys of one dtype; NaN float keys sort together after every number, so that a NaN
// element finds a NaN key.
struct LabelKeyLess {
  DType dtype;
  bool operator()(const LabelValue& a, const LabelValue& b) const {
    if (dtype == DType::i64) return a.i < b.i;
    if (dtype == DType::string) return a.s < b.s;
    if (std::isnan(a.f) || std::isnan(b.f)) return !std::isnan(a.f) && std::isnan(b.f);
    return a.f < b.f;
  }
};

class LabelEncoderKernel final : public OpKernel {
 public:
  explicit LabelEncoderKernel(const OpInfo& info) : table_(LabelKeyLess{DType::i64}) {
    for (const char* name : {"keys_tensor", "values_tensor", "default_tensor"}) {
      if (info.has(name)) {
        info.fail(ErrorKind::unsupported_op,
                  std::string("attribute ") + name +
                      " (LabelEncoder opset 4) is not supported; use keys_* and values_*");
      }
    }
    std::vector<LabelValue> keys, values;
    if (info.opset() < 2) {
      // classes_strings: string -> index (int64 input: index -> string).
      const auto classes = info.get_strings("classes_strings");
      for (std::size_t i = 0; i < classes.size(); ++i) {
        LabelValue s, n;
        s.s = classes[i];
        n.i = static_cast<std::int64_t>(i);
        keys.push_back(s);
        values.push_back(n);
      }
      key_ = DType::string;
      value_ = DType::i64;
      both_ways_ = true;
    } else {
      key_ = kind_of(info, "keys", keys);
      value_ = kind_of(info, "values", values);
      if (keys.size() != values.size()) {
        info.fail(ErrorKind::invalid_model, "the keys (" + std::to_string(keys.size()) +
                                                ") and values (" + std::to_string(values.size()) +
                                                ") differ in number");
      }
    }
    default_.i = info.get_int("default_int64", -1);
    default_.f = info.get_float("default_float", -0.0f);
    default_.s = info.get_string("default_string", "_Unused");
    table_ = std::map<LabelValue, LabelValue, LabelKeyLess>(LabelKeyLess{key_});
    for (std::size_t i = 0; i < keys.size(); ++i) {
      table_.emplace(keys[i], values[i]);
      if (both_ways_) back_.push_back(keys[i].s);
    }
  }
  bool accepts_strings() const override { return true; }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (both_ways_ && x.dtype() == DType::i64) {  // opset 1, index -> string
      Tensor& y = ctx.output(0, DType::string, x.shape());
      for (std::int64_t e = 0; e < x.numel(); ++e) {
        const std::int64_t i = x.data<std::int64_t>()[e];
        y.data<std::string>()[e] = i >= 0 && i < static_cast<std::int64_t>(back_.size())
                                       ? back_[static_cast<std::size_t>(i)]
                                       : default_.s;
      }
      return;
    }
    if (x.dtype() != key_) {
      ctx.fail(ErrorKind::invalid_model, std::string("X has dtype ") + dtype_name(x.dtype()) +
                                             "; the keys are " + dtype_name(key_));
    }
    Tensor& y = ctx.output(0, value_, x.shape());
    LabelValue k;
    for (std::int64_t e = 0; e < x.numel(); ++e) {
      if (key_ == DType::i64) k.i = x.data<std::int64_t>()[e];
      if (key_ == DType::f32) k.f = x.data<float>()[e];
      if (key_ == DType::string) k.s = x.data<std::string>()[e];
      auto it = table_.find(k);
      const LabelValue& v = it == table_.end() ? default_ : it->second;
      if (value_ == DType::i64) y.data<std::int64_t>()[e] = v.i;
      if (value_ == DType::f32) y.data<float>()[e] = v.f;
      if (value_ == DType::string) y.data<std::string>()[e] = v.s;
    }
  }

 private:
  // The dtype of `prefix`_int64s / _floats / _strings, exactly one of which must be given.
  static DType kind_of(const OpInfo& info, const std::string& prefix,
                       std::vector<LabelValue>& out) {
    const auto ints = info.get_ints(prefix + "_int64s");
    const auto floats = info.get_floats(prefix + "_floats");
    const auto strings = info.get_strings(prefix + "_strings");
    const int given = !ints.empty() + !floats.empty() + !strings.empty();
    if (given != 1) {
      info.fail(ErrorKind::invalid_model, "give exactly one of " + prefix + "_int64s, " + prefix +
                                              "_floats and " + prefix + "_strings");
    }
    for (std::int64_t v : ints) out.push_back(LabelValue{v, 0.0f, {}});
    for (float v : floats) out.push_back(LabelValue{0, v, {}});
    for (const std::string& v : strings) out.push_back(LabelValue{0, 0.0f, v});
    return !ints.empty() ? DType::i64 : !floats.empty() ? DType::f32 : DType::string;
  }

  DType key_ = DType::i64, value_ = DType::i64;
  bool both_ways_ = false;
  LabelValue default_;
  std::map<LabelValue, LabelValue, LabelKeyLess> table_;
  std::vector<std::string> back_;
};

inline void register_ml_label_encoder_ops(OpSet& ops) {
  ops.add("ai.onnx.ml", "LabelEncoder", 1, factory<LabelEncoderKernel>());
  ops.add("ai.onnx.ml", "LabelEncoder", 2, factory<LabelEncoderKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_ML_LABEL_ENCODER_HPP
