// QDQ fusion at load: the QDQ models that ONNX Runtime's quantizer writes wrap float operators in
// DequantizeLinear (DQ) and QuantizeLinear (Q) nodes. Where every float input of an operator is a
// DQ output and its result goes only to a Q, the three run as one quantized operator on the 8-bit
// values, the way ORT's QDQ transformer rewrites them:
//
//   DQ(x), DQ(w) [, DQ(bias)] -> Conv [-> Relu/Clip] -> Q    QLinearConv
//   DQ(a), DQ(b)               -> MatMul          -> Q         QLinearMatMul
//   (a Relu or Clip before the Q that the Q makes redundant fuses too, after any of these)
//   DQ(a), DQ(b) [, bias]      -> Gemm            [-> Q]       com.microsoft QGemm
//   DQ(a), DQ(b)               -> Add / Mul       -> Q         com.microsoft QLinearAdd /
//   QLinearMul DQ(x)                      -> GlobalAveragePool, AveragePool, Sigmoid, LeakyRelu ->
//   Q
//                                                              com.microsoft QLinear<Op>
//   DQ(x_i)                    -> Concat          -> Q         com.microsoft QLinearConcat
//   DQ(x)                      -> MaxPool, Reshape, Flatten, Transpose, Squeeze, Unsqueeze -> Q
//                                 with the same scale and zero point: the op on the 8-bit values
//
// and dynamic quantization as ORT's quantize_dynamic writes it (DynamicQuantizeLinear ->
// MatMulInteger -> Cast -> Mul by the two scales [-> Add bias]) becomes com.microsoft
// DynamicQuantizeMatMul.
//
// Runs before constant folding, so the weights stay int8 (four times smaller than the folded
// floats). A pattern fuses only when its scales are constant, finite and > 0, its zero points are
// constant 8-bit tensors of the right size, and each fused-away value is read by the next node
// only; anything else (and every op without a quantized kernel) keeps running through DQ and Q,
// which gives the same values to within one quantization step. Implementation-only.
#ifndef INLAY_GRAPH_IMPL_FUSE_QDQ_HPP
#define INLAY_GRAPH_IMPL_FUSE_QDQ_HPP

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "inlay/graph/impl/fuse.hpp"
#include "inlay/graph/impl/ir.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace qdq_detail {

using fuse_detail::add_constant;
using fuse_detail::attr_int;
using fuse_detail::find_attr;

// Who reads each value: the one reader's node index, -1 for none, -2 for several (or a graph
// output, which is never fused away).
inline std::vector<int> sole_readers(const Graph& g) {
  std::vector<int> r(g.values.size(), -1);
  auto add = [&](int id, int node) {
    if (id >= 0) r[id] = r[id] == -1 ? node : -2;
  };
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.dead) continue;
    for (int id : n.inputs) add(id, static_cast<int>(i));
    for (int id : n.implicit_inputs) add(id, static_cast<int>(i));
  }
  for (int id : g.outputs) r[id] = -2;
  return r;
}

inline bool is_op(const Node& n, const char* op) {
  return !n.dead && !n.host_kernel && n.domain.empty() && n.op_type == op;
}

// The quantization of one value: the 8-bit data and its scale and zero point (value ids; the
// zero point -1 when the node has none, which means 0 in uint8).
struct Quantized {
  int data = -1, scale = -1, zero = -1;
  std::int64_t axis = 1;  // DequantizeLinear's axis (per-axis parameters)
};

inline const Tensor* constant(const Graph& g, int id) {
  return id >= 0 && !g.values[id].constant.empty() ? &g.values[id].constant : nullptr;
}

// Scales: constant float, 1 element (or `per` elements, 1-D, when per > 1), finite and > 0.
inline bool good_scale(const Graph& g, int id, std::int64_t per = 1) {
  const Tensor* s = constant(g, id);
  if (s == nullptr || s->dtype() != DType::f32) return false;
  if (s->numel() != 1 && !(per > 1 && s->rank() == 1 && s->numel() == per)) return false;
  for (std::int64_t i = 0; i < s->numel(); ++i) {
    const float v = s->data<float>()[i];
    if (!(v > 0.0f) || !std::isfinite(v)) return false;
  }
  return true;
}

// Zero points: absent, or constant u8/i8 (int32 for an int32 bias) with as many elements as the
// scale.
inline bool good_zero(const Graph& g, int zero, int scale) {
  if (zero < 0) return true;
  const Tensor* z = constant(g, zero);
  return z != nullptr &&
         (z->dtype() == DType::u8 || z->dtype() == DType::i8 || z->dtype() == DType::i32) &&
         z->rank() <= 1 && z->numel() == constant(g, scale)->numel();
}

// The DQ node that produces value `v` with per-tensor parameters (or per-axis with `per`
// elements), into `q`; false when `v` comes from anything else.
inline bool from_dq(const Graph& g, const std::vector<int>& producer, int v, Quantized& q,
                    std::int64_t per = 1) {
  if (v < 0 || producer[v] < 0) return false;
  const Node& n = g.nodes[producer[v]];
  if (!is_op(n, "DequantizeLinear") || n.inputs.size() < 2 || n.inputs[0] < 0) return false;
  q.data = n.inputs[0];
  q.scale = n.inputs[1];
  q.zero = n.inputs.size() > 2 ? n.inputs[2] : -1;
  q.axis = attr_int(n, "axis", 1);
  return good_scale(g, q.scale, per) && good_zero(g, q.zero, q.scale);
}

// The Q node that is the only reader of `v`, into `q` (its output in q.data); -1 otherwise.
inline int to_q(const Graph& g, const std::vector<int>& readers, int v, Quantized& q) {
  if (v < 0 || readers[v] < 0) return -1;
  const Node& n = g.nodes[readers[v]];
  if (!is_op(n, "QuantizeLinear") || n.inputs.size() < 2 || n.inputs[0] != v) return -1;
  if (n.outputs.size() != 1 || n.outputs[0] < 0) return -1;
  q.data = n.outputs[0];
  q.scale = n.inputs[1];
  q.zero = n.inputs.size() > 2 ? n.inputs[2] : -1;
  return good_scale(g, q.scale) && good_zero(g, q.zero, q.scale) ? readers[v] : -1;
}

// The dtype of 8-bit data: known when the zero point is given or the value is typed.
inline bool data_dtype(const Graph& g, const Quantized& q, DType& t) {
  if (q.zero >= 0) {
    t = g.values[q.zero].constant.dtype();
    return t == DType::u8 || t == DType::i8;
  }
  const Value& v = g.values[q.data];
  if (v.has_dtype && (v.dtype == DType::u8 || v.dtype == DType::i8)) {
    t = v.dtype;
    return true;
  }
  return false;
}

// The zero point as an input of the fused node: the DQ/Q's own, or a new 0 of the data's dtype.
inline int zero_input(Graph& g, const Quantized& q, DType t, const std::string& name) {
  if (q.zero >= 0) return q.zero;
  Tensor z(t, Shape{});
  if (t == DType::u8) z.data<std::uint8_t>()[0] = 0;
  else z.data<std::int8_t>()[0] = 0;
  return add_constant(g, name + "/zero_point", std::move(z));
}

inline std::int32_t zero_at(const Graph& g, const Quantized& q, std::int64_t i) {
  if (q.zero < 0) return 0;
  const Tensor& z = g.values[q.zero].constant;
  const std::int64_t k = z.numel() == 1 ? 0 : i;
  switch (z.dtype()) {
    case DType::u8: return z.data<std::uint8_t>()[k];
    case DType::i8: return z.data<std::int8_t>()[k];
    default: return z.data<std::int32_t>()[k];
  }
}
inline float scale_at(const Graph& g, const Quantized& q, std::int64_t i) {
  const Tensor& s = g.values[q.scale].constant;
  return s.data<float>()[s.numel() == 1 ? 0 : i];
}

// Two quantizations with the same parameters (the same value, or equal constants).
inline bool same_params(const Graph& g, const Quantized& a, const Quantized& b) {
  if (scale_at(g, a, 0) != scale_at(g, b, 0) || zero_at(g, a, 0) != zero_at(g, b, 0)) return false;
  DType ta = DType::u8, tb = DType::u8;
  const bool ka = data_dtype(g, a, ta), kb = data_dtype(g, b, tb);
  return ka == kb && ta == tb;
}

// An int32 bias for acc = sum (x - zx)(w - zw): bias / (x_scale * w_scale[m]) rounded, from a
// DQ'd int32 bias whose scale already is that product (taken as is), or from float values.
inline int int32_bias(Graph& g, const std::vector<int>& producer, int b, const Quantized& x,
                      const Quantized& w, std::int64_t channels, const std::string& name) {
  if (b < 0) return -1;
  Quantized bq;
  const Tensor* f = constant(g, b);
  std::vector<float> values;
  if (from_dq(g, producer, b, bq, channels)) {
    const Tensor* d = constant(g, bq.data);
    if (d == nullptr || d->dtype() != DType::i32 || d->numel() != channels) return -2;
    bool exact = true;
    for (std::int64_t m = 0; m < channels; ++m) exact = exact && zero_at(g, bq, m) == 0;
    for (std::int64_t m = 0; m < channels; ++m) {
      const float want = scale_at(g, x, 0) * scale_at(g, w, m);
      exact = exact && std::fabs(scale_at(g, bq, m) - want) <= 1e-6f * want;
      values.push_back(static_cast<float>(d->data<std::int32_t>()[m] - zero_at(g, bq, m)) *
                       scale_at(g, bq, m));
    }
    if (exact) return bq.data;
  } else if (f != nullptr && f->dtype() == DType::f32 && f->numel() == channels) {
    values.assign(f->data<float>(), f->data<float>() + channels);
  } else {
    return -2;
  }
  Tensor t(DType::i32, Shape{channels});
  for (std::int64_t m = 0; m < channels; ++m) {
    const double q = std::nearbyint(static_cast<double>(values[static_cast<std::size_t>(m)]) /
                                    (static_cast<double>(scale_at(g, x, 0)) * scale_at(g, w, m)));
    if (!(std::fabs(q) < 2147483647.0)) return -2;
    t.data<std::int32_t>()[m] = static_cast<std::int32_t>(q);
  }
  return add_constant(g, name + "/bias_int32", std::move(t));
}

struct Fuser {
  Graph& g;
  const OpSet& ops;
  std::vector<int> producer, readers;
  std::size_t fused = 0;

  void refresh() {
    producer.assign(g.values.size(), -1);
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
      if (g.nodes[i].dead) continue;
      for (int id : g.nodes[i].outputs) {
        if (id >= 0) producer[id] = static_cast<int>(i);
      }
    }
    readers = sole_readers(g);
  }

  // The constant that the node producing value v reads as input 0 (a DQ's int8 weights), or null.
  const Tensor* source_constant(int v) const {
    const int p = v >= 0 ? producer[v] : -1;
    if (p < 0 || g.nodes[p].inputs.empty()) return nullptr;
    return constant(g, g.nodes[p].inputs[0]);
  }

  // The nodes a fusion removes besides the fused one: the Q, and the clamp before it if any.
  static std::vector<int> fused_away(int q, int clamp) {
    std::vector<int> dead = {q};
    if (clamp >= 0) dead.push_back(clamp);
    return dead;
  }

  bool has_op(const char* domain, const char* op) const {
    return ops.find(domain, op, 1000) != nullptr;
  }

  // Node `i` becomes `op` (domain, inputs, attributes given) writing Q node `q`'s output; the
  // nodes in `dead` (the Q, a fused Relu) die. The DQ nodes die later if nothing else reads them.
  void replace(std::size_t i, const char* domain, const char* op, std::vector<int> inputs,
               std::vector<Attribute> attributes, int output, std::vector<int> dead) {
    Node n;
    n.name = g.nodes[i].name;
    n.domain = domain;
    n.op_type = op;
    n.opset = *domain == '\0' ? g.nodes[i].opset : 1;
    n.inputs = std::move(inputs);
    n.outputs = {output};
    n.attributes = std::move(attributes);
    g.nodes[i] = std::move(n);
    for (int d : dead) g.nodes[static_cast<std::size_t>(d)].dead = true;
    ++fused;
    refresh();
  }

  static std::vector<Attribute> keep_attributes(const Node& n,
                                                std::initializer_list<const char*> names) {
    std::vector<Attribute> out;
    for (const char* name : names) {
      if (const Attribute* a = find_attr(n, name)) out.push_back(*a);
    }
    return out;
  }

  // A constant, or the value of a Constant node (this pass runs before constant folding, and
  // PyTorch writes Clip's bounds as Constant nodes).
  const Tensor* constant_or_constant_node(int id) const {
    if (const Tensor* t = constant(g, id)) return t;
    const int p = id >= 0 ? producer[id] : -1;
    if (p < 0 || !is_op(g.nodes[p], "Constant")) return nullptr;
    const Attribute* a = find_attr(g.nodes[p], "value");
    return a != nullptr && a->kind == Attribute::Kind::tensor ? &a->t : nullptr;
  }

  // The bounds of a Relu or Clip node (Clip: constant min/max inputs from opset 11, attributes
  // before); false for anything else.
  bool clamp_bounds(const Node& n, float& lo, float& hi) const {
    lo = -std::numeric_limits<float>::infinity();
    hi = std::numeric_limits<float>::infinity();
    if (is_op(n, "Relu")) {
      lo = 0.0f;
      return true;
    }
    if (!is_op(n, "Clip")) return false;
    if (n.opset < 11) {
      lo = fuse_detail::attr_float(n, "min", lo);
      hi = fuse_detail::attr_float(n, "max", hi);
      return true;
    }
    for (std::size_t k = 1; k < n.inputs.size() && k < 3; ++k) {
      if (n.inputs[k] < 0) continue;
      const Tensor* b = constant_or_constant_node(n.inputs[k]);
      if (b == nullptr || b->dtype() != DType::f32 || b->numel() != 1) return false;
      (k == 1 ? lo : hi) = b->data<float>()[0];
    }
    return true;
  }

  // The output quantization of node i: the Q node that reads its output, or -1. With `clamp`, a
  // Relu or Clip between them is allowed when the Q makes it redundant: clamping commutes with
  // the (monotone) quantization, so clip(v, lo, hi) quantizes to clamp(q(v), q(lo), q(hi)), which
  // is q(v) when q(lo) is at most the lowest code and q(hi) at least the highest (a Relu before a
  // u8 Q with zero point 0). Otherwise it is a clamp the fused kernel does not have: no fusion.
  // The clamp node goes to *clamp_node.
  int output_q(std::size_t i, Quantized& y, bool clamp, int* clamp_node) {
    const Node& n = g.nodes[i];
    if (n.outputs.size() != 1) return -1;
    int v = n.outputs[0];
    *clamp_node = -1;
    float lo = 0.0f, hi = 0.0f;
    if (clamp && v >= 0 && readers[v] >= 0 && clamp_bounds(g.nodes[readers[v]], lo, hi)) {
      *clamp_node = readers[v];
      const Node& c = g.nodes[readers[v]];
      v = c.outputs.size() == 1 ? c.outputs[0] : -1;
    }
    const int q = to_q(g, readers, v, y);
    if (q < 0) return -1;
    if (*clamp_node >= 0) {
      DType t = DType::u8;
      data_dtype(g, y, t);
      const double qmin = t == DType::u8 ? 0.0 : -128.0, qmax = t == DType::u8 ? 255.0 : 127.0;
      const double s = scale_at(g, y, 0), z = zero_at(g, y, 0);
      // q(lo), q(hi) without saturation (the infinite bounds of a one-sided Clip pass).
      const double qlo = std::nearbyint(static_cast<double>(static_cast<float>(lo / s))) + z;
      const double qhi = std::nearbyint(static_cast<double>(static_cast<float>(hi / s))) + z;
      if (!(qlo <= qmin) || !(qhi >= qmax)) return -1;
    }
    return q;
  }

  void conv(std::size_t i) {
    const Node& n = g.nodes[i];
    if (n.inputs.size() < 2 || !has_op("", "QLinearConv")) return;
    const Tensor* wq = nullptr;
    Quantized x, w, y;
    if (!from_dq(g, producer, n.inputs[0], x)) return;
    {
      wq = source_constant(n.inputs[1]);
      // QLinearConv runs 1-D and 2-D; a 3-D and wider Conv stays a float Conv between its DQs.
      if (wq == nullptr || wq->rank() < 3 || wq->rank() > 4) return;
      if (!from_dq(g, producer, n.inputs[1], w, wq->shape()[0])) return;
      if (constant(g, w.scale)->numel() > 1 && w.axis != 0) return;
    }
    const std::int64_t channels = wq->shape()[0];
    int clamp = -1;
    const int q = output_q(i, y, true, &clamp);
    DType xt = DType::u8, wt = DType::u8, yt = DType::u8;
    if (q < 0 || !data_dtype(g, x, xt) || !data_dtype(g, w, wt)) return;
    data_dtype(g, y, yt);
    const int bias =
        n.inputs.size() > 2 ? int32_bias(g, producer, n.inputs[2], x, w, channels, n.name) : -1;
    if (bias == -2) return;
    std::vector<int> in = {x.data,
                           x.scale,
                           zero_input(g, x, xt, n.name + "/x"),
                           w.data,
                           w.scale,
                           zero_input(g, w, wt, n.name + "/w"),
                           y.scale,
                           zero_input(g, y, yt, n.name + "/y")};
    if (bias >= 0) in.push_back(bias);
    replace(
        i, "", "QLinearConv", std::move(in),
        keep_attributes(n, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}),
        y.data, fused_away(q, clamp));
  }

  // MatMul -> QLinearMatMul; b per-tensor or per column (DQ axis = the last axis of b).
  void matmul(std::size_t i) {
    const Node& n = g.nodes[i];
    if (n.inputs.size() != 2 || !has_op("", "QLinearMatMul")) return;
    Quantized a, b, y;
    if (!from_dq(g, producer, n.inputs[0], a)) return;
    const Tensor* bc = source_constant(n.inputs[1]);
    const std::int64_t columns = bc != nullptr && bc->rank() >= 2 ? bc->shape()[bc->rank() - 1] : 1;
    if (!from_dq(g, producer, n.inputs[1], b, columns)) return;
    if (constant(g, b.scale)->numel() > 1) {
      const auto rank = static_cast<std::int64_t>(bc->rank());
      if (b.axis != rank - 1 && b.axis != -1) return;
    }
    int clamp = -1;
    const int q = output_q(i, y, true, &clamp);
    DType at = DType::u8, bt = DType::u8, yt = DType::u8;
    if (q < 0 || !data_dtype(g, a, at) || !data_dtype(g, b, bt)) return;
    data_dtype(g, y, yt);
    std::vector<int> in = {a.data,
                           a.scale,
                           zero_input(g, a, at, n.name + "/a"),
                           b.data,
                           b.scale,
                           zero_input(g, b, bt, n.name + "/b"),
                           y.scale,
                           zero_input(g, y, yt, n.name + "/y")};
    replace(i, "", "QLinearMatMul", std::move(in), {}, y.data, fused_away(q, clamp));
  }

  // Gemm -> com.microsoft QGemm, with a float output when no Q follows. B is constant, quantized
  // per tensor or per output column (axis 1, or 0 when transB).
  void gemm(std::size_t i) {
    const Node& n = g.nodes[i];
    if (n.inputs.size() < 2 || !has_op("com.microsoft", "QGemm")) return;
    if (fuse_detail::attr_float(n, "alpha", 1.0f) != 1.0f) return;
    if (n.inputs.size() > 2 && n.inputs[2] >= 0 && fuse_detail::attr_float(n, "beta", 1.0f) != 1.0f)
      return;
    const bool trans_b = attr_int(n, "transB", 0) != 0;
    Quantized a, b, y;
    if (!from_dq(g, producer, n.inputs[0], a)) return;
    const Tensor* bc = source_constant(n.inputs[1]);
    if (bc == nullptr || bc->rank() != 2) return;
    const std::int64_t columns = bc->shape()[trans_b ? 0 : 1];
    if (!from_dq(g, producer, n.inputs[1], b, columns)) return;
    if (constant(g, b.scale)->numel() > 1 && b.axis != (trans_b ? 0 : 1)) return;
    DType at = DType::u8, bt = DType::u8, yt = DType::u8;
    if (!data_dtype(g, a, at) || !data_dtype(g, b, bt)) return;
    int clamp = -1;
    const int q = output_q(i, y, true, &clamp);
    // A 1-element bias broadcasts over the columns; int32_bias wants one per column.
    int bias = -1;
    if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
      const Tensor* c = constant(g, n.inputs[2]);
      Quantized cq;
      const bool dq = from_dq(g, producer, n.inputs[2], cq, columns);
      if (!dq && (c == nullptr || c->numel() != columns || c->rank() > 2)) return;
      bias = int32_bias(g, producer, n.inputs[2], a, b, columns, n.name);
      if (bias == -2) return;
    }
    std::vector<int> in = {a.data, a.scale, zero_input(g, a, at, n.name + "/a"),
                           b.data, b.scale, zero_input(g, b, bt, n.name + "/b"),
                           bias};
    std::vector<int> dead;
    int output = n.outputs.empty() ? -1 : n.outputs[0];
    if (q >= 0) {
      data_dtype(g, y, yt);
      in.push_back(y.scale);
      in.push_back(zero_input(g, y, yt, n.name + "/y"));
      dead = fused_away(q, clamp);
      output = y.data;
    }
    if (output < 0) return;
    replace(i, "com.microsoft", "QGemm", std::move(in), keep_attributes(n, {"transA", "transB"}),
            output, std::move(dead));
  }

  // Element-wise and pooling ops whose com.microsoft QLinear form takes (x, scale, zero) per
  // input, then the output's scale and zero point (Concat: the output's first).
  void qlinear(std::size_t i, const char* op, std::size_t inputs,
               std::initializer_list<const char*> attributes) {
    const Node& n = g.nodes[i];
    if (!has_op("com.microsoft", op) || n.inputs.size() != inputs) return;
    std::vector<Quantized> xs(inputs);
    std::vector<DType> ts(inputs, DType::u8);
    for (std::size_t k = 0; k < inputs; ++k) {
      if (!from_dq(g, producer, n.inputs[k], xs[k]) || !data_dtype(g, xs[k], ts[k])) return;
      if (k > 0 && ts[k] != ts[0]) return;
    }
    Quantized y;
    int clamp = -1;
    const int q = output_q(i, y, true, &clamp);
    DType yt = DType::u8;
    if (q < 0) return;
    data_dtype(g, y, yt);
    if (yt != ts[0]) return;
    const bool concat = std::string(op) == "QLinearConcat";
    std::vector<int> in;
    if (concat) in = {y.scale, zero_input(g, y, yt, n.name + "/y")};
    for (std::size_t k = 0; k < inputs; ++k) {
      in.push_back(xs[k].data);
      in.push_back(xs[k].scale);
      in.push_back(zero_input(g, xs[k], ts[k], n.name + "/x" + std::to_string(k)));
    }
    if (!concat) {
      in.push_back(y.scale);
      in.push_back(zero_input(g, y, yt, n.name + "/y"));
    }
    replace(i, "com.microsoft", op, std::move(in), keep_attributes(n, attributes), y.data,
            fused_away(q, clamp));
  }

  // Ops that only move or select values: with the same parameters on both sides they run on the
  // 8-bit values directly (max and copies commute with quantization).
  void passthrough(std::size_t i) {
    const Node& n = g.nodes[i];
    Quantized x, y;
    if (n.inputs.empty() || !from_dq(g, producer, n.inputs[0], x)) return;
    int clamp = -1;
    const int q = output_q(i, y, false, &clamp);
    if (q < 0 || !same_params(g, x, y)) return;
    DType t = DType::u8;
    if (!data_dtype(g, x, t)) return;
    Node& m = g.nodes[i];
    m.inputs[0] = x.data;
    m.outputs = {y.data};
    g.nodes[static_cast<std::size_t>(q)].dead = true;
    ++fused;
    refresh();
  }
};

}  // namespace qdq_detail

namespace qdq_detail {

// The value among n's inputs other than `v` (binary ops), or -1.
inline int other_input(const Node& n, int v) {
  if (n.inputs.size() != 2) return -1;
  return n.inputs[0] == v ? n.inputs[1] : n.inputs[1] == v ? n.inputs[0] : -1;
}

// Dynamic quantization as ORT's quantize_dynamic writes it for MatMul:
//   DynamicQuantizeLinear(A) -> (a, a_scale, a_zero)
//   MatMulInteger(a, W, a_zero [, w_zero]) -> Cast(to float) -> Mul(., Mul(a_scale, w_scale))
//   [-> Add(., constant bias)]
// becomes com.microsoft DynamicQuantizeMatMul(A, W, w_scale, w_zero [, bias]), which quantizes A
// and scales the int32 sums in one pass.
inline void dynamic_matmul(Fuser& f, std::size_t i) {
  Graph& g = f.g;
  const Node& mm = g.nodes[i];
  if (!f.has_op("com.microsoft", "DynamicQuantizeMatMul")) return;
  if (mm.inputs.size() < 3 || mm.outputs.size() != 1 || mm.inputs[0] < 0 || mm.inputs[2] < 0) {
    return;
  }
  const int d = f.producer[mm.inputs[0]];
  if (d < 0 || !is_op(g.nodes[d], "DynamicQuantizeLinear")) return;
  const Node& dq = g.nodes[d];
  if (dq.outputs.size() != 3 || dq.outputs[0] != mm.inputs[0] || dq.outputs[2] != mm.inputs[2]) {
    return;
  }
  if (f.readers[dq.outputs[0]] != static_cast<int>(i) ||
      f.readers[dq.outputs[2]] != static_cast<int>(i)) {
    return;
  }
  const Tensor* w = constant(g, mm.inputs[1]);
  if (w == nullptr || w->rank() != 2 || (w->dtype() != DType::i8 && w->dtype() != DType::u8)) {
    return;
  }
  const std::int64_t columns = w->shape()[1];
  const int w_zero = mm.inputs.size() > 3 ? mm.inputs[3] : -1;
  // MatMulInteger -> Cast(to float) -> Mul.
  const int cast = f.readers[mm.outputs[0]];
  if (cast < 0 || !is_op(g.nodes[cast], "Cast") || attr_int(g.nodes[cast], "to", 0) != 1) return;
  const int cast_out = g.nodes[cast].outputs[0];
  const int mul = f.readers[cast_out];
  if (mul < 0 || !is_op(g.nodes[mul], "Mul")) return;
  const int scales = other_input(g.nodes[mul], cast_out);
  if (scales < 0 || f.producer[scales] < 0 || f.readers[scales] != mul) return;
  const int sm = f.producer[scales];
  if (!is_op(g.nodes[sm], "Mul") || f.readers[dq.outputs[1]] != sm) return;
  const int w_scale = other_input(g.nodes[sm], dq.outputs[1]);
  if (!good_scale(g, w_scale, columns)) return;
  if (w_zero >= 0) {
    const Tensor* z = constant(g, w_zero);
    if (z == nullptr || z->dtype() != w->dtype() || z->numel() != constant(g, w_scale)->numel()) {
      return;
    }
  }
  int output = g.nodes[mul].outputs[0];
  std::vector<int> dead = {d, cast, mul, sm};
  int bias = -1;
  // An Add of a constant float bias of one value per column follows.
  const int add = f.readers[output];
  if (add >= 0 && is_op(g.nodes[add], "Add")) {
    const int b = other_input(g.nodes[add], output);
    const Tensor* bt = constant(g, b);
    if (bt != nullptr && bt->dtype() == DType::f32 && bt->rank() == 1 && bt->numel() == columns) {
      bias = b;
      output = g.nodes[add].outputs[0];
      dead.push_back(add);
    }
  }
  const int a = dq.inputs[0];
  const int weights = mm.inputs[1];
  std::vector<int> in = {a, weights, w_scale, w_zero};
  if (bias >= 0) in.push_back(bias);
  f.replace(i, "com.microsoft", "DynamicQuantizeMatMul", std::move(in), {}, output,
            std::move(dead));
}

}  // namespace qdq_detail

// Runs the QDQ fusions (see the top of this file) on the main graph; returns the number of
// operators now running quantized. Nodes served by `host_ops` stay as written. Dead-node removal
// and compaction must follow (the DQ nodes of the weights die there).
inline std::size_t fuse_qdq(Graph& g, const OpSet& ops, const OpSet* host_ops = nullptr) {
  bool any_dq = false;
  for (Node& n : g.nodes) {
    n.host_kernel = host_ops != nullptr && host_ops->find(n.domain, n.op_type, n.opset) != nullptr;
    any_dq = any_dq || (n.domain.empty() &&
                        (n.op_type == "DequantizeLinear" || n.op_type == "DynamicQuantizeLinear"));
  }
  if (!any_dq) return 0;  // DequantizeLinear or DynamicQuantizeLinear
  qdq_detail::Fuser f{g, ops, {}, {}, 0};
  f.refresh();
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.dead || n.host_kernel || !n.domain.empty()) continue;
    const std::string& op = n.op_type;
    if (op == "Conv") {
      f.conv(i);
    } else if (op == "MatMulInteger") {
      qdq_detail::dynamic_matmul(f, i);
    } else if (op == "MatMul") {
      f.matmul(i);
    } else if (op == "Gemm") {
      f.gemm(i);
    } else if (op == "Add") {
      f.qlinear(i, "QLinearAdd", 2, {});
    } else if (op == "Mul") {
      f.qlinear(i, "QLinearMul", 2, {});
    } else if (op == "GlobalAveragePool") {
      f.qlinear(i, "QLinearGlobalAveragePool", 1, {});
    } else if (op == "AveragePool") {
      f.qlinear(i, "QLinearAveragePool", 1,
                {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
    } else if (op == "Sigmoid") {
      f.qlinear(i, "QLinearSigmoid", 1, {});
    } else if (op == "LeakyRelu") {
      f.qlinear(i, "QLinearLeakyRelu", 1, {"alpha"});
    } else if (op == "Concat") {
      f.qlinear(i, "QLinearConcat", n.inputs.size(), {"axis"});
    } else if (op == "MaxPool" || op == "Reshape" || op == "Flatten" || op == "Transpose" ||
               op == "Squeeze" || op == "Unsqueeze") {
      if (op == "MaxPool" && n.outputs.size() > 1 && n.outputs[1] >= 0) continue;  // indices
      f.passthrough(i);
    }
  }
  return f.fused;
}

}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_FUSE_QDQ_HPP
