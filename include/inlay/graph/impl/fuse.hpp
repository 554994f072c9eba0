// Fusions at load, after constant folding: LayerNorm written out as ReduceMean -> Sub -> Pow ->
// ReduceMean -> Add -> Sqrt -> Div [-> Mul -> Add] becomes one LayerNormalization, and the erf
// GELU written out as Div -> Erf -> Add -> Mul -> Mul one Gelu (the exporters' forms before
// opsets 17 and 20); a BatchNormalization after a Conv folds into the conv's weights and bias; a
// constant bias Add after Conv/Gemm/MatMul becomes the node's bias; an activation (Gelu too)
// after Conv/ConvTranspose/Gemm/MatMul runs in the kernel's epilogue (attributes
// "inlay.activation", "inlay.alpha", "inlay.beta", see ops/common.hpp); Conv 1x1 -> depthwise
// Conv -> Conv 1x1 becomes one inlay:InvertedBottleneck. A value is fused away only when the
// pattern's nodes alone read it and it is not a graph output. Implementation-only.
#ifndef INLAY_GRAPH_IMPL_FUSE_HPP
#define INLAY_GRAPH_IMPL_FUSE_HPP

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "inlay/graph/impl/ir.hpp"
#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/inverted_bottleneck.hpp"
#include "inlay/onnx/file.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace fuse_detail {

struct Uses {
  std::vector<int> count;     // readers of each value (a graph output counts as one more)
  std::vector<int> producer;  // node index, -1 for inputs and constants
};

inline Uses count_uses(const Graph& g) {
  Uses u;
  u.count.assign(g.values.size(), 0);
  u.producer.assign(g.values.size(), -1);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.dead) continue;
    for (int id : n.inputs) {
      if (id >= 0) ++u.count[id];
    }
    for (int id : n.implicit_inputs) ++u.count[id];
    for (int id : n.outputs) {
      if (id >= 0) u.producer[id] = static_cast<int>(i);
    }
  }
  for (int id : g.outputs) u.count[id] += 2;  // never fused away
  return u;
}

inline const Tensor* constant_f32(const Graph& g, const Node& n, std::size_t i) {
  if (i >= n.inputs.size() || n.inputs[i] < 0) return nullptr;
  const Tensor& t = g.values[n.inputs[i]].constant;
  return !t.empty() && t.dtype() == DType::f32 ? &t : nullptr;
}

inline const Attribute* find_attr(const Node& n, const char* name) {
  for (const Attribute& a : n.attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}
inline float attr_float(const Node& n, const char* name, float fallback) {
  const Attribute* a = find_attr(n, name);
  return a && a->kind == Attribute::Kind::float_ ? a->f : fallback;
}
inline std::int64_t attr_int(const Node& n, const char* name, std::int64_t fallback) {
  const Attribute* a = find_attr(n, name);
  return a && a->kind == Attribute::Kind::int_ ? a->i : fallback;
}
inline void set_attr(Node& n, Attribute a) {
  for (Attribute& e : n.attributes) {
    if (e.name == a.name) {
      e = std::move(a);
      return;
    }
  }
  n.attributes.push_back(std::move(a));
}
inline Attribute int_attr(const char* name, std::int64_t v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::int_;
  a.i = v;
  return a;
}
inline Attribute float_attr(const char* name, float v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::float_;
  a.f = v;
  return a;
}

// A new constant value of the graph; returns its id.
inline int add_constant(Graph& g, const std::string& name, Tensor t) {
  Value v;
  v.name = name;
  v.has_dtype = true;
  v.dtype = t.dtype();
  v.has_shape = true;
  v.dims.assign(t.shape().begin(), t.shape().end());
  v.constant = std::move(t);
  g.values.push_back(std::move(v));
  return static_cast<int>(g.values.size() - 1);
}

// The node producing input 0 of `tail` when it is one of `ops` (default domain, live), its
// output is read by `tail` only, and it has no fused activation yet; else -1.
inline int fusable_producer(const Graph& g, const Uses& u, const Node& tail,
                            std::initializer_list<const char*> ops, std::size_t input = 0) {
  if (input >= tail.inputs.size() || tail.inputs[input] < 0) return -1;
  const int v = tail.inputs[input];
  const int p = u.producer[v];
  if (p < 0 || u.count[v] != 1) return -1;
  const Node& n = g.nodes[p];
  if (n.host_kernel || !n.domain.empty() || n.outputs.size() != 1 || n.outputs[0] != v) return -1;
  if (find_attr(n, ops::fused_activation_attr) != nullptr) return -1;
  for (const char* op : ops) {
    if (n.op_type == op) return p;
  }
  return -1;
}

// `head` takes over the output of `tail`, which dies.
inline void absorb(Graph& g, Uses& u, int head, std::size_t tail) {
  Node& t = g.nodes[tail];
  g.nodes[head].outputs[0] = t.outputs[0];
  u.producer[t.outputs[0]] = head;
  t.dead = true;
}

// Conv (constant W, constant or no B) + BatchNormalization (inference, constant statistics):
// W'[m] = W[m] s[m], B'[m] = (B[m] - mean[m]) s[m] + beta[m], s = scale / sqrt(var + eps).
inline std::size_t fold_batch_norms(Graph& g, Uses& u) {
  std::size_t fused = 0;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& bn = g.nodes[i];
    if (bn.dead || bn.host_kernel || !bn.domain.empty() || bn.op_type != "BatchNormalization") {
      continue;
    }
    if (attr_int(bn, "training_mode", 0) != 0 || attr_int(bn, "spatial", 1) != 1) continue;
    bool extra_outputs = false;
    for (std::size_t k = 1; k < bn.outputs.size(); ++k) extra_outputs |= bn.outputs[k] >= 0;
    if (extra_outputs || bn.inputs.size() != 5) continue;
    const int p = fusable_producer(g, u, bn, {"Conv"});
    if (p < 0) continue;
    const Node& conv = g.nodes[p];
    const Tensor* w = constant_f32(g, conv, 1);
    if (w == nullptr || w->rank() < 3) continue;
    const auto m = static_cast<std::size_t>(w->shape()[0]);
    const Tensor* b = constant_f32(g, conv, 2);
    if (conv.inputs.size() > 2 && conv.inputs[2] >= 0 &&
        (b == nullptr || b->numel() != w->shape()[0])) {
      continue;
    }
    const Tensor* stats[4];
    bool ok = true;
    for (std::size_t k = 0; k < 4; ++k) {
      stats[k] = constant_f32(g, bn, k + 1);
      ok = ok && stats[k] != nullptr && stats[k]->numel() == w->shape()[0];
    }
    if (!ok) continue;
    const float eps = attr_float(bn, "epsilon", 1e-5f);
    const float* scale = stats[0]->data<float>();
    const float* beta = stats[1]->data<float>();
    const float* mean = stats[2]->data<float>();
    const float* var = stats[3]->data<float>();
    Tensor nw(DType::f32, w->shape());
    Tensor nb(DType::f32, Shape{static_cast<std::int64_t>(m)});
    const std::size_t per = static_cast<std::size_t>(w->numel()) / (m ? m : 1);
    const float* wv = w->data<float>();
    const float* bv = b ? b->data<float>() : nullptr;
    float* nwv = nw.data<float>();
    float* nbv = nb.data<float>();
    for (std::size_t c = 0; c < m; ++c) {
      const float s = scale[c] / std::sqrt(var[c] + eps);
      for (std::size_t k = 0; k < per; ++k) nwv[c * per + k] = wv[c * per + k] * s;
      nbv[c] = ((bv ? bv[c] : 0.0f) - mean[c]) * s + beta[c];
    }
    // Read only by this Conv, the original weights are not read again: a memory-mapped model's
    // pages of them leave resident memory (the folded copy replaces them).
    if (u.count[conv.inputs[1]] == 1) onnx::release_file_pages(w->raw_data(), w->nbytes());
    const std::string base = conv.name.empty() ? bn.name : conv.name;
    const int wid = add_constant(g, base + ".inlay.bn_weight", std::move(nw));
    const int bid = add_constant(g, base + ".inlay.bn_bias", std::move(nb));
    Node& c = g.nodes[p];
    c.inputs.resize(3, -1);
    c.inputs[1] = wid;
    c.inputs[2] = bid;
    absorb(g, u, p, i);
    ++fused;
  }
  return fused;
}

// Whether constant `t` adds n values along axis `axis` of a rank-`rank` result without changing
// its shape: rank not above `rank`, every other dimension 1.
inline bool is_axis_bias(const Tensor& t, std::size_t rank, std::size_t axis, std::int64_t n) {
  if (t.rank() > rank || t.numel() != n) return false;
  for (std::size_t d = 0; d < t.rank(); ++d) {
    const std::size_t at = rank - t.rank() + d;
    if (at != axis && t.shape()[d] != 1) return false;
    if (at == axis && t.shape()[d] != n) return false;
  }
  return true;
}

// Add(x, constant bias) after Conv / Gemm / MatMul becomes the node's bias.
inline std::size_t fuse_bias_adds(Graph& g, Uses& u) {
  std::size_t fused = 0;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& add = g.nodes[i];
    if (add.dead || add.host_kernel || !add.domain.empty() || add.op_type != "Add" ||
        add.inputs.size() != 2) {
      continue;
    }
    for (std::size_t side = 0; side < 2; ++side) {
      const Tensor* bias = constant_f32(g, add, 1 - side);
      const int p = bias ? fusable_producer(g, u, add, {"Conv", "Gemm", "MatMul"}, side) : -1;
      if (p < 0) continue;
      Node& n = g.nodes[p];
      const Tensor* w = constant_f32(g, n, 1);
      if (w == nullptr || w->rank() < 2) break;
      Tensor combined;  // the new bias, [N] or [M]
      if (n.op_type == "Conv") {
        const std::int64_t m = w->shape()[0];
        if (!is_axis_bias(*bias, w->rank(), 1, m)) break;
        const Tensor* old = constant_f32(g, n, 2);
        if (n.inputs.size() > 2 && n.inputs[2] >= 0 && old == nullptr) break;
        combined = Tensor(DType::f32, Shape{m});
        for (std::int64_t c = 0; c < m; ++c) {
          combined.data<float>()[c] = bias->data<float>()[c] + (old ? old->data<float>()[c] : 0.0f);
        }
      } else if (n.op_type == "Gemm") {
        if (w->rank() != 2) break;
        const std::int64_t cols = w->shape()[attr_int(n, "transB", 0) ? 0 : 1];
        if (!is_axis_bias(*bias, 2, 1, cols)) break;
        const Tensor* old = constant_f32(g, n, 2);
        const bool has_old = n.inputs.size() > 2 && n.inputs[2] >= 0;
        if (has_old && (old == nullptr || !is_axis_bias(*old, 2, 1, cols))) break;
        const float beta = attr_float(n, "beta", 1.0f);
        combined = Tensor(DType::f32, Shape{cols});
        for (std::int64_t c = 0; c < cols; ++c) {
          combined.data<float>()[c] =
              bias->data<float>()[c] + (old ? beta * old->data<float>()[c] : 0.0f);
        }
        set_attr(n, float_attr("beta", 1.0f));
      } else {  // MatMul with 2-D weights: a bias of the last axis only (rank 1 keeps the shape)
        if (w->rank() != 2 || bias->rank() != 1 || bias->numel() != w->shape()[1]) break;
        combined = bias->clone();
      }
      const int id = add_constant(g, n.name + ".inlay.bias", std::move(combined));
      Node& head = g.nodes[p];
      head.inputs.resize(3, -1);
      head.inputs[2] = id;
      absorb(g, u, p, i);
      ++fused;
      break;
    }
  }
  return fused;
}

// The epilogue activation of node `n` (Relu, Clip with constant bounds, LeakyRelu, Sigmoid,
// Tanh, HardSigmoid, Elu, HardSwish); false when it is none of them.
inline bool activation_of(const Graph& g, const Node& n, kernels::Activation& act) {
  if (n.host_kernel || !n.domain.empty() || n.inputs.empty() || n.outputs.size() != 1) return false;
  const std::string& op = n.op_type;
  if (op == "Relu") act = kernels::Activation::relu();
  else if (op == "Sigmoid") act = kernels::Activation::sigmoid();
  else if (op == "Tanh") act = kernels::Activation::tanh();
  else if (op == "LeakyRelu") act = kernels::Activation::leaky_relu(attr_float(n, "alpha", 0.01f));
  else if (op == "HardSigmoid") {
    act = kernels::Activation::hard_sigmoid(attr_float(n, "alpha", 0.2f),
                                            attr_float(n, "beta", 0.5f));
  } else if (op == "Elu") act = kernels::Activation::elu(attr_float(n, "alpha", 1.0f));
  else if (op == "HardSwish") act = kernels::Activation::hard_swish();
  else if (op == "Gelu") {
    const Attribute* a = find_attr(n, "approximate");
    const std::string approximate = a ? a->s : "none";
    if (approximate == "none") act = kernels::Activation::gelu();
    else if (approximate == "tanh") act = kernels::Activation::gelu_tanh();
    else return false;
  } else if (op == "Clip") {
    float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
    if (n.opset < 11) {
      lo = attr_float(n, "min", lo);
      hi = attr_float(n, "max", hi);
    } else {
      for (std::size_t k = 1; k < 3 && k < n.inputs.size(); ++k) {
        if (n.inputs[k] < 0) continue;
        const Tensor* t = constant_f32(g, n, k);
        if (t == nullptr || t->numel() != 1) return false;
        (k == 1 ? lo : hi) = t->data<float>()[0];
      }
    }
    act = kernels::Activation::clip(lo, hi);
  } else {
    return false;
  }
  return true;
}

inline std::size_t fuse_activations(Graph& g, Uses& u) {
  std::size_t fused = 0;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& a = g.nodes[i];
    kernels::Activation act;
    if (a.dead || !activation_of(g, a, act)) continue;
    const int p = fusable_producer(g, u, a, {"Conv", "ConvTranspose", "Gemm", "MatMul"});
    if (p < 0) continue;
    Node& n = g.nodes[p];
    set_attr(n, int_attr(ops::fused_activation_attr, static_cast<std::int64_t>(act.op)));
    set_attr(n, float_attr(ops::fused_alpha_attr, act.alpha));
    set_attr(n, float_attr(ops::fused_beta_attr, act.beta));
    absorb(g, u, p, i);
    ++fused;
  }
  return fused;
}

// The node whose only output is input 0 of `n` and that no other node reads, or -1.
inline int sole_producer(const Graph& g, const Uses& u, const Node& n) {
  if (n.inputs.empty() || n.inputs[0] < 0) return -1;
  const int v = n.inputs[0];
  const int p = u.producer[v];
  if (p < 0 || u.count[v] != 1 || g.nodes[p].outputs.size() != 1) return -1;
  return p;
}

// Whether `n` is a 2-D Conv with constant f32 weights of the given group count, a constant or no
// bias, dilation 1 and explicit (or no) padding; `w` receives the weights.
inline bool plain_conv(const Graph& g, const Node& n, std::int64_t group, const Tensor*& w) {
  if (n.dead || n.host_kernel || !n.domain.empty() || n.op_type != "Conv" ||
      n.outputs.size() != 1) {
    return false;
  }
  w = constant_f32(g, n, 1);
  if (w == nullptr || w->rank() != 4 || attr_int(n, "group", 1) != group) return false;
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
    const Tensor* b = constant_f32(g, n, 2);
    if (b == nullptr || b->rank() != 1 || b->numel() != w->shape()[0]) return false;
  }
  const Attribute* pad = find_attr(n, "auto_pad");
  if (pad != nullptr && pad->s != "NOTSET" && !pad->s.empty()) return false;
  const Attribute* d = find_attr(n, "dilations");
  if (d != nullptr && (d->ints.size() != 2 || d->ints[0] != 1 || d->ints[1] != 1)) return false;
  const Attribute* k = find_attr(n, "kernel_shape");
  return k == nullptr ||
         (k->ints.size() == 2 && k->ints[0] == w->shape()[2] && k->ints[1] == w->shape()[3]);
}

// A 1x1 Conv of one group, stride 1, no padding.
inline bool pointwise_conv(const Graph& g, const Node& n, const Tensor*& w) {
  if (!plain_conv(g, n, 1, w) || w->shape()[2] != 1 || w->shape()[3] != 1) return false;
  for (const char* name : {"strides", "pads"}) {
    const Attribute* a = find_attr(n, name);
    if (a == nullptr) continue;
    for (std::int64_t v : a->ints) {
      if (v != (name[0] == 's' ? 1 : 0)) return false;
    }
  }
  return true;
}

// Conv 1x1 -> depthwise Conv (one filter per channel, pads below the kernel size) -> Conv 1x1,
// each value read by the next layer only, becomes one inlay:InvertedBottleneck that runs the
// three in bands of rows (kernels/inverted_bottleneck.hpp). Runs after the activation fusion, so
// each layer's activation moves into the new node under the layer's prefix.
inline std::size_t fuse_inverted_bottlenecks(Graph& g, Uses& u) {
  std::size_t fused = 0;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Tensor *wp = nullptr, *wd = nullptr, *we = nullptr;
    if (!pointwise_conv(g, g.nodes[i], wp)) continue;
    const int d = sole_producer(g, u, g.nodes[i]);
    if (d < 0 || !plain_conv(g, g.nodes[d], wp->shape()[1], wd) ||
        wd->shape()[0] != wp->shape()[1] || wd->shape()[1] != 1) {
      continue;
    }
    const Node& dn = g.nodes[d];
    const Attribute* strides = find_attr(dn, "strides");
    const Attribute* pads = find_attr(dn, "pads");
    if ((strides != nullptr && strides->ints.size() != 2) ||
        (pads != nullptr && pads->ints.size() != 4)) {
      continue;
    }
    if (pads != nullptr && (pads->ints[0] >= wd->shape()[2] || pads->ints[2] >= wd->shape()[2])) {
      continue;
    }
    const int e = sole_producer(g, u, dn);
    if (e < 0 || !pointwise_conv(g, g.nodes[e], we) || we->shape()[0] != wd->shape()[0]) continue;
    const Node& en = g.nodes[e];
    Node block;
    block.name = g.nodes[i].name;
    block.op_type = ops::inverted_bottleneck_op;
    block.domain = "inlay";
    block.opset = 1;
    block.inputs.push_back(en.inputs[0]);
    for (const Node* n : {&en, &dn, static_cast<const Node*>(&g.nodes[i])}) {
      block.inputs.push_back(n->inputs[1]);
      block.inputs.push_back(n->inputs.size() > 2 ? n->inputs[2] : -1);
    }
    block.outputs = g.nodes[i].outputs;
    if (strides != nullptr) block.attributes.push_back(*strides);
    if (pads != nullptr) block.attributes.push_back(*pads);
    const std::pair<const Node*, std::string> layers[] = {
        {&en, "inlay.expand."}, {&dn, "inlay.depthwise."}, {&g.nodes[i], "inlay.project."}};
    for (const auto& layer : layers) {
      const std::string& prefix = layer.second;
      block.attributes.push_back(int_attr((prefix + "activation").c_str(),
                                          attr_int(*layer.first, ops::fused_activation_attr, 0)));
      block.attributes.push_back(float_attr((prefix + "alpha").c_str(),
                                            attr_float(*layer.first, ops::fused_alpha_attr, 0.0f)));
      block.attributes.push_back(float_attr((prefix + "beta").c_str(),
                                            attr_float(*layer.first, ops::fused_beta_attr, 0.0f)));
    }
    g.nodes[e].dead = true;
    g.nodes[d].dead = true;
    g.nodes[i] = std::move(block);
    ++fused;
  }
  return fused;
}

// The node that writes value `v` when it is a live default-domain `op` with one output that the
// host's ops do not serve; else -1.
inline int producer_of(const Graph& g, const Uses& u, int v, const char* op) {
  if (v < 0 || static_cast<std::size_t>(v) >= u.producer.size()) return -1;
  const int p = u.producer[v];
  if (p < 0) return -1;
  const Node& n = g.nodes[p];
  if (n.dead || n.host_kernel || !n.domain.empty() || n.op_type != op || n.outputs.size() != 1) {
    return -1;
  }
  return p;
}

// Per value, the node that reads it (the last one when several do; check Uses::count first).
inline std::vector<int> last_readers(const Graph& g) {
  std::vector<int> r(g.values.size(), -1);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.nodes[i].dead) continue;
    for (int id : g.nodes[i].inputs) {
      if (id >= 0) r[id] = static_cast<int>(i);
    }
  }
  return r;
}

// The node that alone reads value `v` when it is a live default-domain `op` with one output that
// the host's ops do not serve; else -1.
inline int sole_reader(const Graph& g, const Uses& u, const std::vector<int>& readers, int v,
                       const char* op) {
  if (v < 0 || static_cast<std::size_t>(v) >= readers.size() || u.count[v] != 1 || readers[v] < 0) {
    return -1;
  }
  const Node& n = g.nodes[readers[v]];
  if (n.dead || n.host_kernel || !n.domain.empty() || n.op_type != op || n.outputs.size() != 1) {
    return -1;
  }
  return readers[v];
}

// The one number of a constant of rank 0 or 1 (f32, f64 or an integer type), else false.
inline bool scalar_constant(const Graph& g, int v, double& out) {
  if (v < 0) return false;
  const Tensor& t = g.values[v].constant;
  if (t.empty() || t.numel() != 1 || t.rank() > 1) return false;
  switch (t.dtype()) {
    case DType::f32: out = t.data<float>()[0]; return true;
    case DType::f64: out = t.data<double>()[0]; return true;
    case DType::i32: out = static_cast<double>(t.data<std::int32_t>()[0]); return true;
    case DType::i64: out = static_cast<double>(t.data<std::int64_t>()[0]); return true;
    default: return false;
  }
}
// Whether input `k` of node `n` is a scalar constant equal to `want` (relative tolerance `tol`:
// exporters write sqrt 2 and 1/sqrt 2 with a few digits).
inline bool is_scalar(const Graph& g, const Node& n, std::size_t k, double want, double tol = 0.0) {
  double v = 0.0;
  return k < n.inputs.size() && scalar_constant(g, n.inputs[k], v) &&
         std::fabs(v - want) <= tol * std::fabs(want);
}

// Whether ReduceMean node `n` averages the last axis of a rank-`rank` input (-1 when unknown)
// keeping it: axes from input 1 (opset 18+) or the attribute, exactly one, -1 or rank - 1.
inline bool mean_of_last_axis(const Graph& g, const Node& n, std::int64_t rank) {
  if (attr_int(n, "keepdims", 1) != 1) return false;
  std::vector<std::int64_t> axes;
  if (n.inputs.size() > 1 && n.inputs[1] >= 0) {
    const Tensor& t = g.values[n.inputs[1]].constant;
    if (t.empty() || t.dtype() != DType::i64) return false;
    axes.assign(t.data<std::int64_t>(), t.data<std::int64_t>() + t.numel());
  } else if (const Attribute* a = find_attr(n, "axes")) {
    axes = a->ints;
  }
  return axes.size() == 1 && (axes[0] == -1 || (rank > 0 && axes[0] == rank - 1));
}

// The other input of binary node `n` when input `known` is one of them; -1 otherwise.
inline int other_operand(const Node& n, int known) {
  if (n.inputs.size() != 2) return -1;
  if (n.inputs[0] == known) return n.inputs[1];
  if (n.inputs[1] == known) return n.inputs[0];
  return -1;
}

// The constant of a LayerNorm's scale or bias, as rank 1 (N values, or 1 that broadcasts), when
// `v` is an f32 constant of the last axis: rank at most 1, or leading 1s and an input `x` of known
// rank not below it (so the Mul/Add did not raise the rank); N the last dimension of x when known.
inline int norm_parameter(Graph& g, int v, int x, const std::string& name) {
  const Tensor* t =
      v >= 0 && !g.values[v].constant.empty() && g.values[v].constant.dtype() == DType::f32
          ? &g.values[v].constant
          : nullptr;
  if (t == nullptr) return -1;
  const Value& xv = g.values[x];
  if (t->rank() > 1) {
    if (!xv.has_shape || xv.dims.size() < t->rank()) return -1;
    for (std::size_t d = 0; d + 1 < t->rank(); ++d) {
      if (t->shape()[d] != 1) return -1;
    }
  }
  const std::int64_t n = t->numel();
  if (n != 1) {
    if (t->rank() == 0) return -1;
    if (xv.has_shape && !xv.dims.empty() && xv.dims.back() >= 0 && xv.dims.back() != n) {
      return -1;  // the Mul would broadcast x's last axis up to n
    }
  }
  if (t->rank() == 1) return v;
  Tensor flat(DType::f32, Shape{n});
  for (std::int64_t k = 0; k < n; ++k) flat.data<float>()[k] = t->data<float>()[k];
  return add_constant(g, name, std::move(flat));
}

// LayerNorm as exporters before opset 17 write it (ONNX Runtime's LayerNormFusion matches the
// same chain): ReduceMean(x) -> Sub(x, mean) = d -> Pow(d, 2) -> ReduceMean -> Add(eps) -> Sqrt
// -> Div(d, std) [-> Mul(gamma) [-> Add(beta)]], both means over the last axis with keepdims,
// eps, gamma and beta f32 constants, becomes one LayerNormalization (axis -1).
inline std::size_t fuse_layer_norms(Graph& g, Uses& u) {
  std::size_t fused = 0;
  const std::vector<int> readers = last_readers(g);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& div = g.nodes[i];
    if (div.dead || div.host_kernel || !div.domain.empty() || div.op_type != "Div" ||
        div.inputs.size() != 2 || div.outputs.size() != 1) {
      continue;
    }
    const int d = div.inputs[0], sd = div.inputs[1];
    const int sub = producer_of(g, u, d, "Sub");
    const int sqrt = producer_of(g, u, sd, "Sqrt");
    if (sub < 0 || sqrt < 0 || u.count[d] != 2 || u.count[sd] != 1) continue;
    const int x = g.nodes[sub].inputs.size() == 2 ? g.nodes[sub].inputs[0] : -1;
    const int mean = g.nodes[sub].inputs.size() == 2 ? g.nodes[sub].inputs[1] : -1;
    const int rm1 = producer_of(g, u, mean, "ReduceMean");
    if (x < 0 || rm1 < 0 || u.count[mean] != 1 || g.nodes[rm1].inputs[0] != x) continue;
    const std::int64_t rank =
        g.values[x].has_shape ? static_cast<std::int64_t>(g.values[x].dims.size()) : -1;
    if (!mean_of_last_axis(g, g.nodes[rm1], rank)) continue;
    const int veps = g.nodes[sqrt].inputs[0];
    const int add = producer_of(g, u, veps, "Add");
    if (add < 0 || u.count[veps] != 1 || g.nodes[add].inputs.size() != 2) continue;
    // eps: the f32 constant operand of the Add, the other the variance.
    const Node& an = g.nodes[add];
    double eps = 0.0;
    const std::size_t eps_at = scalar_constant(g, an.inputs[1], eps) ? 1 : 0;
    const int var = an.inputs[1 - eps_at];
    const int eps_id = an.inputs[eps_at];
    if (!scalar_constant(g, eps_id, eps) || g.values[eps_id].constant.dtype() != DType::f32) {
      continue;
    }
    const int rm2 = producer_of(g, u, var, "ReduceMean");
    if (rm2 < 0 || u.count[var] != 1 || !mean_of_last_axis(g, g.nodes[rm2], rank)) continue;
    const int sq = g.nodes[rm2].inputs[0];
    const int pow = producer_of(g, u, sq, "Pow");
    if (pow < 0 || u.count[sq] != 1 || g.nodes[pow].inputs.size() != 2 ||
        g.nodes[pow].inputs[0] != d || !is_scalar(g, g.nodes[pow], 1, 2.0)) {
      continue;
    }
    // The optional tail: Mul by gamma, then Add of beta (either operand order).
    std::vector<int> pattern = {rm1, sub, pow, rm2, add, sqrt, static_cast<int>(i)};
    int out = div.outputs[0], scale = -1, bias = -1;
    const std::string base = div.name;
    const int mul = sole_reader(g, u, readers, out, "Mul");
    if (mul >= 0)
      scale = norm_parameter(g, other_operand(g.nodes[mul], out), x, base + ".inlay.ln_scale");
    if (scale >= 0) {
      pattern.push_back(mul);
      out = g.nodes[mul].outputs[0];
      const int bias_add = sole_reader(g, u, readers, out, "Add");
      if (bias_add >= 0) {
        bias = norm_parameter(g, other_operand(g.nodes[bias_add], out), x, base + ".inlay.ln_bias");
      }
      if (bias >= 0) {
        pattern.push_back(bias_add);
        out = g.nodes[bias_add].outputs[0];
      }
    } else {  // no gamma: a scale of one 1, which the kernel broadcasts
      Tensor one(DType::f32, Shape{1});
      one.data<float>()[0] = 1.0f;
      scale = add_constant(g, base + ".inlay.ln_scale", std::move(one));
    }
    Node ln;
    ln.name = base;
    ln.op_type = "LayerNormalization";
    ln.opset = 17;
    ln.inputs = {x, scale, bias};
    if (bias < 0) ln.inputs.pop_back();
    ln.outputs = {out};
    ln.attributes.push_back(int_attr("axis", -1));
    ln.attributes.push_back(float_attr("epsilon", static_cast<float>(eps)));
    const int last = pattern.back();
    for (int k : pattern) g.nodes[k].dead = true;
    g.nodes[last] = std::move(ln);
    u.producer[out] = last;
    fused += pattern.size() - 1;
  }
  return fused;
}

// GELU as exporters before opset 20 write it (ONNX Runtime's GeluFusion matches the same):
// h = Div(x, sqrt 2) or Mul(x, 1/sqrt 2) -> Erf -> Add(1) = a, then x * a * 0.5 in any order:
// Mul(Mul(x, a), 0.5), Mul(Mul(x, 0.5), a) or Mul(x, Mul(a, 0.5)). Becomes one Gelu (opset 20,
// approximate "none"), which the activation fusion may then move into a MatMul/Gemm epilogue.
inline std::size_t fuse_gelus(Graph& g, Uses& u) {
  constexpr double sqrt2 = 1.41421356237309504880, tol = 1e-6;
  std::size_t fused = 0;
  const std::vector<int> readers = last_readers(g);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& erf = g.nodes[i];
    if (erf.dead || erf.host_kernel || !erf.domain.empty() || erf.op_type != "Erf" ||
        erf.inputs.size() != 1 || erf.outputs.size() != 1) {
      continue;
    }
    const int h = erf.inputs[0];
    int x = -1;
    int scale = producer_of(g, u, h, "Div");
    if (scale >= 0) {
      const Node& n = g.nodes[scale];
      if (n.inputs.size() == 2 && is_scalar(g, n, 1, sqrt2, tol)) x = n.inputs[0];
    } else if ((scale = producer_of(g, u, h, "Mul")) >= 0) {
      const Node& n = g.nodes[scale];
      for (std::size_t k = 0; k < 2 && x < 0 && n.inputs.size() == 2; ++k) {
        if (is_scalar(g, n, 1 - k, 1.0 / sqrt2, tol)) x = n.inputs[k];
      }
    }
    if (x < 0 || u.count[h] != 1) continue;
    const int e = erf.outputs[0];
    const int plus = sole_reader(g, u, readers, e, "Add");
    if (plus < 0) continue;
    const int one = other_operand(g.nodes[plus], e);
    double v = 0.0;
    if (!scalar_constant(g, one, v) || v != 1.0) continue;
    const int a = g.nodes[plus].outputs[0];
    const int m1 = sole_reader(g, u, readers, a, "Mul");
    if (m1 < 0) continue;
    const int other = other_operand(g.nodes[m1], a);
    const int o1 = g.nodes[m1].outputs[0];
    std::vector<int> pattern = {scale, static_cast<int>(i), plus, m1};
    double half = 0.0;
    if (other == x) {  // Mul(Mul(x, a), 0.5)
      const int m2 = sole_reader(g, u, readers, o1, "Mul");
      if (m2 < 0 || !scalar_constant(g, other_operand(g.nodes[m2], o1), half) || half != 0.5) {
        continue;
      }
      pattern.push_back(m2);
    } else if (scalar_constant(g, other, half)) {  // Mul(x, Mul(a, 0.5))
      const int m2 = sole_reader(g, u, readers, o1, "Mul");
      if (half != 0.5 || m2 < 0 || other_operand(g.nodes[m2], o1) != x) continue;
      pattern.push_back(m2);
    } else {  // Mul(Mul(x, 0.5), a)
      const int m0 = producer_of(g, u, other, "Mul");
      if (m0 < 0 || u.count[other] != 1 ||
          !scalar_constant(g, other_operand(g.nodes[m0], x), half) || half != 0.5) {
        continue;
      }
      pattern.push_back(m0);
    }
    // All the constants are f32 (so is x in a valid model); 0.5 x (1 + erf) needs no f64 care.
    Node gelu;
    const int last = *std::max_element(pattern.begin(), pattern.end());
    gelu.name = g.nodes[last].name;
    gelu.op_type = "Gelu";
    gelu.opset = 20;
    gelu.inputs = {x};
    gelu.outputs = g.nodes[last].outputs;
    Attribute approximate;
    approximate.name = "approximate";
    approximate.kind = Attribute::Kind::string;
    approximate.s = "none";
    gelu.attributes.push_back(std::move(approximate));
    for (int k : pattern) g.nodes[k].dead = true;
    u.producer[gelu.outputs[0]] = last;
    g.nodes[last] = std::move(gelu);
    fused += pattern.size() - 1;
  }
  return fused;
}

}  // namespace fuse_detail

// Runs the fusions in order (the decomposed LayerNorms and GELUs, BatchNorm folding, bias,
// activation, so Conv + BN + Relu and MatMul + Add + GELU become one node each; then the inverted
// bottlenecks); returns the number of
// nodes fused away. The graph must be compacted and compiled again afterwards. Nodes whose
// operator `host_ops` serves (ModelOptions::custom_ops) are left as written: fused, the host's
// kernel would get attributes it does not know (inlay.activation) or not run at all.
inline std::size_t fuse(Graph& g, const OpSet* host_ops = nullptr) {
  for (Node& n : g.nodes) {
    n.host_kernel = host_ops != nullptr && host_ops->find(n.domain, n.op_type, n.opset) != nullptr;
  }
  // A fusion that makes a node of another op runs only where this build has that op (a
  // selective build may have left its family out: the graph then runs as written).
  const auto built = [](const char* domain, const char* op, std::int64_t opset) {
    return builtin_ops().find(domain, op, opset) != nullptr;
  };
  fuse_detail::Uses u = fuse_detail::count_uses(g);
  std::size_t fused = 0;
  if (built("", "LayerNormalization", 17)) fused += fuse_detail::fuse_layer_norms(g, u);
  if (built("", "Gelu", 20)) fused += fuse_detail::fuse_gelus(g, u);
  u = fuse_detail::count_uses(g);  // the new constants and nodes
  fused += fuse_detail::fold_batch_norms(g, u);
  fused += fuse_detail::fuse_bias_adds(g, u);
  fused += fuse_detail::fuse_activations(g, u);
  if (built("inlay", ops::inverted_bottleneck_op, 1)) {
    fused += 2 * fuse_detail::fuse_inverted_bottlenecks(g, u);
  }
  return fused;
}

}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_FUSE_HPP
