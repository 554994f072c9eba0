// Fusions at load, after constant folding: a BatchNormalization after a Conv folds into the
// conv's weights and bias; a constant bias Add after Conv/Gemm/MatMul becomes the node's bias;
// an activation after Conv/ConvTranspose/Gemm/MatMul runs in the kernel's epilogue (attributes
// "inlay.activation", "inlay.alpha", "inlay.beta", see ops/common.hpp); Conv 1x1 -> depthwise
// Conv -> Conv 1x1 becomes one inlay:InvertedBottleneck. A value is fused away only when one node
// reads it and it is not a graph output. Implementation-only.
#ifndef INLAY_GRAPH_IMPL_FUSE_HPP
#define INLAY_GRAPH_IMPL_FUSE_HPP

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "inlay/graph/impl/ir.hpp"
#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/inverted_bottleneck.hpp"

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
    for (std::size_t c = 0; c < m; ++c) {
      const float s = scale[c] / std::sqrt(var[c] + eps);
      for (std::size_t k = 0; k < per; ++k) {
        nw.data<float>()[c * per + k] = w->data<float>()[c * per + k] * s;
      }
      nb.data<float>()[c] = ((b ? b->data<float>()[c] : 0.0f) - mean[c]) * s + beta[c];
    }
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
  else if (op == "Clip") {
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

}  // namespace fuse_detail

// Runs the fusions in order (BatchNorm folding, bias, activation, so Conv + BN + Relu and
// MatMul + Add + Relu become one node each; then the inverted bottlenecks); returns the number of
// nodes fused away. The graph must be compacted and compiled again afterwards. Nodes whose
// operator `host_ops` serves (ModelOptions::custom_ops) are left as written: fused, the host's
// kernel would get attributes it does not know (inlay.activation) or not run at all.
inline std::size_t fuse(Graph& g, const OpSet* host_ops = nullptr) {
  for (Node& n : g.nodes) {
    n.host_kernel = host_ops != nullptr && host_ops->find(n.domain, n.op_type, n.opset) != nullptr;
  }
  fuse_detail::Uses u = fuse_detail::count_uses(g);
  std::size_t fused = fuse_detail::fold_batch_norms(g, u);
  fused += fuse_detail::fuse_bias_adds(g, u);
  fused += fuse_detail::fuse_activations(g, u);
  fused += 2 * fuse_detail::fuse_inverted_bottlenecks(g, u);
  return fused;
}

}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_FUSE_HPP
