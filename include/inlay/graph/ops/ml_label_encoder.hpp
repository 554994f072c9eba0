// ai.onnx.ml LabelEncoder: a lookup table from keys to values, elements without a key getting
// the default. Opset 1 maps strings to their index in classes_strings or indices back to
// strings; opset 2 maps int64, float or string keys to int64, float or string values; opset 4
// also takes them as tensors (keys_tensor, values_tensor, default_tensor) of int64, int32,
// int16, float, double or string. Implementation-only.
#ifndef INLAY_GRAPH_OPS_ML_LABEL_ENCODER_HPP
#define INLAY_GRAPH_OPS_ML_LABEL_ENCODER_HPP

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "inlay/graph/ops/ml_common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// One key or value: the field its dtype uses (integers of every width in i, f32 and f64 in f).
struct LabelValue {
  std::int64_t i = 0;
  double f = 0.0;
  std::string s;
};

// The three kinds of key and value LabelEncoder maps between.
enum class LabelKind : std::uint8_t { integer, real, string };

inline LabelKind label_kind(DType d) {
  return d == DType::string                   ? LabelKind::string
         : d == DType::f32 || d == DType::f64 ? LabelKind::real
                                              : LabelKind::integer;
}

// Orders keys of one kind; NaN keys sort together after every number, so that a NaN element
// finds a NaN key.
struct LabelKeyLess {
  LabelKind kind;
  bool operator()(const LabelValue& a, const LabelValue& b) const {
    if (kind == LabelKind::integer) return a.i < b.i;
    if (kind == LabelKind::string) return a.s < b.s;
    if (std::isnan(a.f) || std::isnan(b.f)) return !std::isnan(a.f) && std::isnan(b.f);
    return a.f < b.f;
  }
};

// Element e of a tensor of a dtype LabelEncoder holds, as a LabelValue.
inline LabelValue label_value_at(const Tensor& t, std::int64_t e) {
  LabelValue v;
  switch (t.dtype()) {
    case DType::i64: v.i = t.data<std::int64_t>()[e]; break;
    case DType::i32: v.i = t.data<std::int32_t>()[e]; break;
    case DType::i16: v.i = t.data<std::int16_t>()[e]; break;
    case DType::f32: v.f = t.data<float>()[e]; break;
    case DType::f64: v.f = t.data<double>()[e]; break;
    default: v.s = t.data<std::string>()[e]; break;
  }
  return v;
}

// Writes `v` as element e of `t`.
inline void set_label_value(Tensor& t, std::int64_t e, const LabelValue& v) {
  switch (t.dtype()) {
    case DType::i64: t.data<std::int64_t>()[e] = v.i; break;
    case DType::i32: t.data<std::int32_t>()[e] = static_cast<std::int32_t>(v.i); break;
    case DType::i16: t.data<std::int16_t>()[e] = static_cast<std::int16_t>(v.i); break;
    case DType::f32: t.data<float>()[e] = static_cast<float>(v.f); break;
    case DType::f64: t.data<double>()[e] = v.f; break;
    default: t.data<std::string>()[e] = v.s; break;
  }
}

class LabelEncoderKernel final : public OpKernel {
 public:
  explicit LabelEncoderKernel(const OpInfo& info) : table_(LabelKeyLess{LabelKind::integer}) {
    if (info.opset() < 4) {
      for (const char* name : {"keys_tensor", "values_tensor", "default_tensor"}) {
        if (info.has(name)) {
          info.fail(ErrorKind::invalid_model,
                    std::string("attribute ") + name + " needs LabelEncoder opset 4");
        }
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
      key_ = read_list(info, "keys", keys);
      value_ = read_list(info, "values", values);
      if (keys.size() != values.size()) {
        info.fail(ErrorKind::invalid_model, "the keys (" + std::to_string(keys.size()) +
                                                ") and values (" + std::to_string(values.size()) +
                                                ") differ in number");
      }
    }
    default_.i = info.get_int("default_int64", -1);
    default_.f = info.get_float("default_float", -0.0f);
    default_.s = info.get_string("default_string", "_Unused");
    if (const Attribute* d = info.find("default_tensor")) {
      if (d->kind != Attribute::Kind::tensor || d->t.numel() != 1 || d->t.dtype() != value_) {
        info.fail(ErrorKind::invalid_model, std::string("default_tensor must be one ") +
                                                dtype_name(value_) + " value, like the values");
      }
      default_ = label_value_at(d->t, 0);
    }
    const std::optional<DType> x = info.input_dtype(0);
    if (x && *x != key_ && !(both_ways_ && *x == DType::i64)) {
      info.fail(ErrorKind::invalid_model, std::string("X has dtype ") + dtype_name(*x) +
                                              "; the keys are " + dtype_name(key_));
    }
    table_ = std::map<LabelValue, LabelValue, LabelKeyLess>(LabelKeyLess{label_kind(key_)});
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
    for (std::int64_t e = 0; e < x.numel(); ++e) {
      auto it = table_.find(label_value_at(x, e));
      set_label_value(y, e, it == table_.end() ? default_ : it->second);
    }
  }

 private:
  // The keys or values (`prefix` "keys" or "values"): exactly one of prefix_int64s, _floats,
  // _strings and (opset 4) prefix_tensor, a tensor of int64, int32, int16, float, double or
  // string. Returns their dtype.
  static DType read_list(const OpInfo& info, const std::string& prefix,
                         std::vector<LabelValue>& out) {
    const auto ints = info.get_ints(prefix + "_int64s");
    const auto floats = info.get_floats(prefix + "_floats");
    const auto strings = info.get_strings(prefix + "_strings");
    const Attribute* tensor = info.find(prefix + "_tensor");
    const int given = !ints.empty() + !floats.empty() + !strings.empty() + (tensor != nullptr);
    if (given != 1) {
      info.fail(ErrorKind::invalid_model, "give exactly one of " + prefix + "_int64s, " + prefix +
                                              "_floats, " + prefix + "_strings and " + prefix +
                                              "_tensor");
    }
    if (tensor != nullptr) {
      const DType d = tensor->t.dtype();
      if (tensor->kind != Attribute::Kind::tensor ||
          (d != DType::i64 && d != DType::i32 && d != DType::i16 && d != DType::f32 &&
           d != DType::f64 && d != DType::string)) {
        info.fail(ErrorKind::invalid_model,
                  prefix +
                      "_tensor must be a tensor of int64, int32, int16, float, double or "
                      "string");
      }
      for (std::int64_t e = 0; e < tensor->t.numel(); ++e)
        out.push_back(label_value_at(tensor->t, e));
      return d;
    }
    for (std::int64_t v : ints) out.push_back(LabelValue{v, 0.0, {}});
    for (float v : floats) out.push_back(LabelValue{0, v, {}});
    for (const std::string& v : strings) out.push_back(LabelValue{0, 0.0, v});
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
  ops.add("ai.onnx.ml", "LabelEncoder", 4, factory<LabelEncoderKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_ML_LABEL_ENCODER_HPP
