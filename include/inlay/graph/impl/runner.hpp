// graph::Runner: runs a compiled graph node by node. The first run with a given set of input
// shapes allocates every value on its own and records the shapes the kernels ask for; from them
// it plans one arena (offsets from value lifetimes, graph/impl/arena_plan.hpp). Later
// runs with the same input shapes place every value in the arena and allocate nothing.
// Implementation-only.
#ifndef INLAY_GRAPH_IMPL_RUNNER_HPP
#define INLAY_GRAPH_IMPL_RUNNER_HPP

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "inlay/core/aligned.hpp"
#include "inlay/graph/impl/arena_plan.hpp"
#include "inlay/graph/impl/ir.hpp"
#include "inlay/graph/impl/limits.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {

class Runner {
 public:
  Runner(const Graph& g, Executor* executor, Runner* parent = nullptr, std::size_t parent_node = 0)
      : g_(g), executor_(executor), parent_(parent), parent_node_(parent_node) {
    slots_.resize(g.values.size());
    containers_.resize(g.values.size());
    for (std::size_t id = 0; id < g.values.size(); ++id) {
      if (!g.values[id].constant.empty()) slots_[id] = g.values[id].constant;
    }
    record_.resize(g.values.size());
    scratch_need_.assign(g.nodes.size(), 0);
  }

  const Graph& graph() const noexcept { return g_; }
  Executor* executor() const noexcept { return executor_; }

  // Binds the graph's inputs (checked against the declared dtype and static dimensions) and,
  // for a subgraph, the values it captures from the runner above.
  void bind_inputs(const std::vector<Tensor>& inputs) {
    // One at a time, not as a vector of AnyValue: planned runs allocate nothing.
    bind_each(inputs.size(), [&](std::size_t i) { return AnyValue{inputs[i], nullptr}; });
  }
  // Inputs that may be sequences or optionals: each must be what the graph declares.
  void bind_inputs(const std::vector<AnyValue>& inputs) {
    bind_each(inputs.size(), [&](std::size_t i) { return inputs[i]; });
  }

 private:
  // Binds input i to get(i) for every i < count.
  template <class Get>
  void bind_each(std::size_t count, Get get) {
    if (count != g_.inputs.size()) {
      fail(ErrorKind::invalid_argument, "graph '" + g_.name + "' has " +
                                            std::to_string(g_.inputs.size()) + " inputs, " +
                                            std::to_string(count) + " were given");
    }
    for (std::size_t i = 0; i < count; ++i) {
      const Value& v = g_.values[g_.inputs[i]];
      const AnyValue x = get(i);
      const std::shared_ptr<const ContainerValue> wrapped = as_optional(v, x);
      if (wrapped != nullptr || !x.is_tensor()) {
        const auto& c = wrapped != nullptr ? wrapped : x.container;
        bind_container_input(v, c);
        slots_[g_.inputs[i]] = Tensor();
        containers_[g_.inputs[i]] = c;
        continue;
      }
      if (v.is_container) {
        fail(ErrorKind::invalid_argument,
             "input '" + v.name + "' must be " + container_name(v) + ", not a tensor");
      }
      containers_[g_.inputs[i]] = nullptr;
      const Tensor& t = x.tensor;
      if (t.empty() && t.numel() != 0) {
        fail(ErrorKind::invalid_argument, "input '" + v.name + "' is an empty tensor");
      }
      if (v.has_dtype && t.dtype() != v.dtype) {
        fail(ErrorKind::invalid_argument, "input '" + v.name + "' must have dtype " +
                                              dtype_name(v.dtype) + ", not " +
                                              dtype_name(t.dtype()));
      }
      if (v.has_shape) {
        bool ok = t.rank() == v.dims.size();
        for (std::size_t d = 0; ok && d < v.dims.size(); ++d) {
          ok = v.dims[d] < 0 || v.dims[d] == t.shape()[d];
        }
        if (!ok) {
          fail(ErrorKind::shape_mismatch, "input '" + v.name + "' has shape " +
                                              t.shape().to_string() + ", the model declares " +
                                              declared_shape(v));
        }
      }
      slots_[g_.inputs[i]] = t;
    }
    if (parent_ != nullptr) {
      const Node& owner = parent_->g_.nodes[parent_node_];
      for (int id : g_.captures) {
        const std::string& name = g_.values[id].name;
        for (int pid : owner.implicit_inputs) {
          if (parent_->g_.values[pid].name == name) {
            slots_[id] = parent_->slots_[pid];
            containers_[id] = parent_->containers_[pid];
          }
        }
      }
    }
  }

 public:
  // Runs every node; the outputs are then in value(g.outputs[i]).
  void run() {
    planned_run_ = plan_valid_ && same_input_shapes();
    if (!planned_run_) {
      for (auto& r : record_) r = Record{};
      std::fill(scratch_need_.begin(), scratch_need_.end(), 0);
    }
    for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
      check_string_inputs(i);
      OpContext context(*this, i);
      g_.kernels[i]->run(context);
      if (!planned_run_) release_after(i);
    }
    if (!planned_run_ && parent_ == nullptr) make_plan();
  }

  // Runs node `node` alone with the values bound so far, allocating its outputs (constant
  // folding at load).
  void run_single(std::size_t node) {
    planned_run_ = false;
    check_string_inputs(node);
    OpContext context(*this, node);
    g_.kernels[node]->run(context);
  }

  const Tensor& value(int id) const { return slots_[id]; }
  // Sets value `id` to a tensor computed elsewhere (a device runner's copy back to the host).
  void set_value(int id, Tensor t) {
    slots_[id] = std::move(t);
    containers_[id] = nullptr;
  }
  // Value `id` as a tensor or a container (null container and empty tensor: never computed).
  AnyValue any_value(int id) const { return AnyValue{slots_[id], containers_[id]}; }
  bool is_computed(int id) const { return containers_[id] != nullptr || computed(slots_[id]); }
  std::size_t arena_bytes() const noexcept { return plan_valid_ ? arena_size_ : 0; }

  // ---- used by OpContext ----
  const Tensor& input(std::size_t node, std::size_t i) const {
    const Node& n = g_.nodes[node];
    if (i >= n.inputs.size() || n.inputs[i] < 0) {
      g_.infos[node].fail(ErrorKind::invalid_model,
                          "input " + std::to_string(i) + " is required but not given");
    }
    const Tensor& t = slots_[n.inputs[i]];
    if (containers_[n.inputs[i]] != nullptr) {
      g_.infos[node].fail(ErrorKind::invalid_model, "input " + std::to_string(i) + " ('" +
                                                        g_.values[n.inputs[i]].name + "') is " +
                                                        kind_name(*containers_[n.inputs[i]]) +
                                                        "; this op needs a tensor");
    }
    if (!computed(t)) {
      g_.infos[node].fail(ErrorKind::invalid_model,
                          "input " + std::to_string(i) + " ('" + g_.values[n.inputs[i]].name +
                              "') was never computed: the node that should produce it did not");
    }
    return t;
  }
  bool input_is_container(std::size_t node, std::size_t i) const {
    const Node& n = g_.nodes[node];
    return i < n.inputs.size() && n.inputs[i] >= 0 && containers_[n.inputs[i]] != nullptr;
  }
  const ContainerValue& input_container(std::size_t node, std::size_t i) const {
    if (!input_is_container(node, i)) {
      input(node, i);  // the errors for an omitted or never computed input
      g_.infos[node].fail(ErrorKind::invalid_model,
                          "input " + std::to_string(i) + " ('" +
                              g_.values[g_.nodes[node].inputs[i]].name +
                              "') is a tensor; this op needs a sequence or an optional");
    }
    return *containers_[g_.nodes[node].inputs[i]];
  }
  AnyValue input_any(std::size_t node, std::size_t i) const {
    if (input_is_container(node, i))
      return AnyValue{Tensor(), containers_[g_.nodes[node].inputs[i]]};
    return AnyValue{input(node, i), nullptr};
  }
  // Containers never live in the arena: the slot holds the shared value itself.
  void set_output_container(std::size_t node, std::size_t i,
                            std::shared_ptr<const ContainerValue> value) {
    const Node& n = g_.nodes[node];
    if (i >= n.outputs.size() || n.outputs[i] < 0) return;  // not read: nothing to keep
    slots_[n.outputs[i]] = Tensor();
    containers_[n.outputs[i]] = std::move(value);
  }
  static const char* kind_name(const ContainerValue& c) {
    switch (c.kind) {
      case ContainerValue::Kind::sequence: return "a sequence";
      case ContainerValue::Kind::map: return "a map";
      case ContainerValue::Kind::map_sequence: return "a sequence of maps";
      default: return "an optional";
    }
  }
  static std::string container_name(const Value& v) {
    if (v.container_kind == ContainerValue::Kind::sequence) return "a sequence";
    if (v.container_kind == ContainerValue::Kind::map) return "a map";
    if (v.container_kind == ContainerValue::Kind::map_sequence) return "a sequence of maps";
    return v.optional_of_sequence ? "an optional sequence" : "an optional tensor";
  }

  // False for the empty slot of a value no kernel has written (an output a kernel left out).
  static bool computed(const Tensor& t) noexcept { return !t.empty() || t.numel() == 0; }
  Tensor& output(std::size_t node, std::size_t i, DType dtype, const Shape& shape) {
    const Node& n = g_.nodes[node];
    if (i >= n.outputs.size() || n.outputs[i] < 0) {
      // An optional output the model does not read: kept per node so it is not reallocated.
      if (discard_.size() < g_.nodes.size()) discard_.resize(g_.nodes.size());
      Tensor& t = discard_[node];
      if (t.empty() || t.dtype() != dtype || t.shape() != shape)
        t = allocate(node, i, dtype, shape);
      return t;
    }
    const int id = n.outputs[i];
    Tensor& slot = slots_[id];
    containers_[id] = nullptr;
    if (dtype == DType::string) {  // never in the arena: raw bytes cannot hold std::string
      slot = allocate(node, i, dtype, shape);
      return slot;
    }
    if (planned_run_) {
      const Record& r = record_[id];
      if (r.offset != kNoOffset && r.dtype == dtype && r.shape == shape) {
        slot = Tensor::view(dtype, static_cast<char*>(arena_.get()) + r.offset, shape);
        return slot;
      }
      ++plan_misses_;  // a shape that depends on the data: allocate this one on its own
      slot = allocate(node, i, dtype, shape);
      return slot;
    }
    slot = allocate(node, i, dtype, shape);
    Record& r = record_[id];
    r.seen = true;
    r.dtype = dtype;
    r.shape = shape;
    return slot;
  }
  void* scratch(std::size_t node, std::size_t bytes) {
    if (!planned_run_) scratch_need_[node] = std::max(scratch_need_[node], bytes);
    if (bytes > scratch_size_) {
      check_size(node, bytes, [] { return std::string("scratch memory"); });
      scratch_ = allocate_aligned(bytes);
      scratch_size_ = bytes;
    }
    return scratch_.get();
  }
  std::vector<Tensor> run_subgraph(std::size_t node, const Graph& sub,
                                   const std::vector<Tensor>& inputs) {
    Runner child(sub, executor_, this, node);
    child.bind_inputs(inputs);
    child.run();
    std::vector<Tensor> out;
    for (int id : sub.outputs) {
      if (child.containers_[id] != nullptr) {
        g_.infos[node].fail(ErrorKind::invalid_model,
                            "subgraph '" + sub.name + "' output '" + sub.values[id].name + "' is " +
                                kind_name(*child.containers_[id]) + "; this op needs a tensor");
      }
      const Tensor& t = child.value(id);
      if (!computed(t)) {
        g_.infos[node].fail(
            ErrorKind::invalid_model,
            "subgraph '" + sub.name + "' output '" + sub.values[id].name + "' was never computed");
      }
      out.push_back(t.is_view() ? t.clone() : t);
    }
    return out;
  }
  std::vector<AnyValue> run_subgraph_any(std::size_t node, const Graph& sub,
                                         const std::vector<AnyValue>& inputs) {
    Runner child(sub, executor_, this, node);
    child.bind_inputs(inputs);
    child.run();
    std::vector<AnyValue> out;
    for (int id : sub.outputs) {
      if (!child.is_computed(id)) {
        g_.infos[node].fail(
            ErrorKind::invalid_model,
            "subgraph '" + sub.name + "' output '" + sub.values[id].name + "' was never computed");
      }
      AnyValue v = child.any_value(id);
      if (v.is_tensor() && v.tensor.is_view()) v.tensor = v.tensor.clone();
      out.push_back(std::move(v));
    }
    return out;
  }

 private:
  // A tensor or a sequence given where the graph declares an optional of it becomes a full
  // optional (a Loop body's optional carried value is a plain sequence after one iteration, as
  // in ONNX's test_loop16_seq_none); null otherwise.
  static std::shared_ptr<const ContainerValue> as_optional(const Value& v, const AnyValue& x) {
    if (!v.is_container || v.container_kind != ContainerValue::Kind::optional) return nullptr;
    const bool sequence = !x.is_tensor() && x.container->kind == ContainerValue::Kind::sequence;
    if (!(x.is_tensor() ? !v.optional_of_sequence : sequence && v.optional_of_sequence))
      return nullptr;
    auto o = std::make_shared<ContainerValue>();
    o->kind = ContainerValue::Kind::optional;
    o->has_value = true;
    o->holds_sequence = sequence;
    o->dtype = sequence ? x.container->dtype : x.tensor.dtype();
    if (sequence) {
      o->tensors = x.container->tensors;
    } else {
      o->tensors.push_back(x.tensor.is_view() ? x.tensor.clone() : x.tensor);
    }
    return o;
  }

  // A sequence or optional given for a graph input: it must be what the graph declares (an
  // input without a declared type takes anything).
  void bind_container_input(const Value& v, const std::shared_ptr<const ContainerValue>& c) const {
    const bool undeclared = !v.is_container && !v.has_dtype && !v.has_shape;
    if (undeclared) return;
    const bool map =
        c->kind == ContainerValue::Kind::map || c->kind == ContainerValue::Kind::map_sequence;
    const bool ok = v.is_container && v.container_kind == c->kind &&
                    (c->kind != ContainerValue::Kind::optional || !c->has_value ||
                     c->holds_sequence == v.optional_of_sequence) &&
                    (!v.has_dtype || c->dtype == v.dtype) && (!map || c->key_dtype == v.key_dtype);
    if (!ok) {
      // Maps name their keys too: "a map of string -> f32".
      const auto keys = [&](bool is_map, DType key) {
        return is_map ? std::string(dtype_name(key)) + " -> " : std::string();
      };
      const bool declared_map =
          v.is_container && (v.container_kind == ContainerValue::Kind::map ||
                             v.container_kind == ContainerValue::Kind::map_sequence);
      fail(ErrorKind::invalid_argument,
           "input '" + v.name + "' must be " +
               (v.is_container ? container_name(v) + " of " + keys(declared_map, v.key_dtype) +
                                     dtype_name(v.dtype)
                               : std::string("a tensor")) +
               ", not " + kind_name(*c) + " of " + keys(map, c->key_dtype) + dtype_name(c->dtype));
    }
  }

  // A string input reaches only kernels written for strings (OpKernel::accepts_strings).
  void check_string_inputs(std::size_t node) const {
    const Node& n = g_.nodes[node];
    if (g_.kernels[node]->accepts_strings()) return;
    for (std::size_t i = 0; i < n.inputs.size(); ++i) {
      const int id = n.inputs[i];
      if (id >= 0 && slots_[id].dtype() == DType::string) {
        g_.infos[node].fail(ErrorKind::unsupported_op,
                            "input " + std::to_string(i) + " ('" + g_.values[id].name +
                                "') is a string tensor; this op supports numeric tensors only");
      }
    }
  }

  static constexpr std::size_t kNoOffset = std::numeric_limits<std::size_t>::max();
  struct Record {
    bool seen = false;
    DType dtype = DType::f32;
    Shape shape;
    std::size_t offset = kNoOffset;
  };

  // `what` names the memory in an error message (built only then).
  template <class What>
  void check_size(std::size_t node, std::size_t bytes, What what) const {
    if (bytes > detail::max_tensor_bytes()) {
      g_.infos[node].fail(ErrorKind::invalid_model,
                          what() + " of " + std::to_string(bytes) + " bytes is larger than the " +
                              std::to_string(detail::max_tensor_bytes()) + " bytes allowed");
    }
  }

  // A new tensor for output i of `node`; running out of memory is an Error naming the node.
  Tensor allocate(std::size_t node, std::size_t i, DType dtype, const Shape& shape) const {
    const auto what = [&] {
      return "output " + std::to_string(i) + " of shape " + shape.to_string() + " (" +
             dtype_name(dtype) + ")";
    };
    check_size(node, static_cast<std::size_t>(shape.numel()) * dtype_size(dtype), what);
#ifndef INLAY_NO_EXCEPTIONS
    try {
      return Tensor(dtype, shape);
    } catch (const std::bad_alloc&) {
      g_.infos[node].fail(ErrorKind::invalid_model, what() + " cannot be allocated");
    }
#else
    return Tensor(dtype, shape);
#endif
  }

  static std::string declared_shape(const Value& v) {
    std::string s = "[";
    for (std::size_t d = 0; d < v.dims.size(); ++d) {
      if (d) s += ", ";
      s += v.dims[d] >= 0 ? std::to_string(v.dims[d])
                          : (v.dim_params[d].empty() ? std::string("?") : v.dim_params[d]);
    }
    return s + "]";
  }

  bool same_input_shapes() const {
    for (std::size_t i = 0; i < g_.inputs.size(); ++i) {
      const Tensor& t = slots_[g_.inputs[i]];
      if (t.shape() != plan_shapes_[i] || t.dtype() != plan_dtypes_[i]) return false;
    }
    return true;
  }

  // Drops values no later node reads (first runs only: planned runs reuse the arena).
  void release_after(std::size_t node) {
    const Node& n = g_.nodes[node];
    auto drop = [&](int id) {
      if (id < 0 || !g_.values[id].constant.empty() || g_.values[id].captured) return;
      if (g_.last_use[id] <= static_cast<std::int64_t>(node)) {
        for (int in : g_.inputs) {
          if (in == id) return;
        }
        slots_[id] = Tensor();
        containers_[id] = nullptr;
      }
    };
    for (int id : n.inputs) drop(id);
    for (int id : n.outputs) drop(id);
  }

  void make_plan() {
    std::vector<int> ids;
    std::vector<detail::ArenaItem> items;
    for (std::size_t node = 0; node < g_.nodes.size(); ++node) {
      for (int id : g_.nodes[node].outputs) {
        if (id < 0 || !record_[id].seen) continue;
        const Record& r = record_[id];
        const std::size_t bytes = static_cast<std::size_t>(r.shape.numel()) * dtype_size(r.dtype);
        const std::int64_t first = static_cast<std::int64_t>(node);
        ids.push_back(id);
        items.push_back(
            detail::ArenaItem{(bytes + 63) / 64 * 64, first, std::max(first, g_.last_use[id])});
      }
    }
    const detail::ArenaPlan plan = detail::plan_arena(items);
    for (std::size_t i = 0; i < ids.size(); ++i) record_[ids[i]].offset = plan.offsets[i];
    const std::size_t total = plan.total;
    arena_ = allocate_aligned(std::max<std::size_t>(total, 64));
    arena_size_ = total;
    std::size_t scratch = 0;
    for (std::size_t s : scratch_need_) scratch = std::max(scratch, s);
    if (scratch > scratch_size_) {
      scratch_ = allocate_aligned(scratch);
      scratch_size_ = scratch;
    }
    plan_shapes_.clear();
    plan_dtypes_.clear();
    for (int id : g_.inputs) {
      plan_shapes_.push_back(slots_[id].shape());
      plan_dtypes_.push_back(slots_[id].dtype());
    }
    plan_valid_ = true;
  }

  const Graph& g_;
  Executor* executor_;
  Runner* parent_;
  std::size_t parent_node_;
  std::vector<Tensor> slots_;
  std::vector<std::shared_ptr<const ContainerValue>> containers_;  // per value id, not planned
  std::vector<Tensor> discard_;

  std::vector<Record> record_;
  std::vector<std::size_t> scratch_need_;
  bool plan_valid_ = false;
  bool planned_run_ = false;
  std::vector<Shape> plan_shapes_;
  std::vector<DType> plan_dtypes_;
  AlignedBuffer arena_;
  std::size_t arena_size_ = 0;
  AlignedBuffer scratch_;
  std::size_t scratch_size_ = 0;
  std::size_t plan_misses_ = 0;
};

}  // namespace graph

// ---- OpContext: a thin handle on the runner ----
std::size_t OpContext::input_count() const noexcept {
  return runner_.graph().nodes[node_].inputs.size();
}
bool OpContext::has_input(std::size_t i) const noexcept {
  const auto& in = runner_.graph().nodes[node_].inputs;
  return i < in.size() && in[i] >= 0;
}
const Tensor& OpContext::input(std::size_t i) const { return runner_.input(node_, i); }
std::size_t OpContext::output_count() const noexcept {
  return runner_.graph().nodes[node_].outputs.size();
}
bool OpContext::has_output(std::size_t i) const noexcept {
  const auto& out = runner_.graph().nodes[node_].outputs;
  return i < out.size() && out[i] >= 0;
}
Tensor& OpContext::output(std::size_t i, DType dtype, const Shape& shape) {
  return runner_.output(node_, i, dtype, shape);
}
void* OpContext::scratch(std::size_t bytes) { return runner_.scratch(node_, bytes); }
Executor* OpContext::executor() const noexcept { return runner_.executor(); }
const OpInfo& OpContext::info() const noexcept { return runner_.graph().infos[node_]; }
void OpContext::fail(ErrorKind kind, const std::string& message) const {
  info().fail(kind, message);
}
bool OpContext::input_is_container(std::size_t i) const {
  return runner_.input_is_container(node_, i);
}
const ContainerValue& OpContext::input_container(std::size_t i) const {
  return runner_.input_container(node_, i);
}
void OpContext::set_output_container(std::size_t i, std::shared_ptr<const ContainerValue> value) {
  runner_.set_output_container(node_, i, std::move(value));
}
AnyValue OpContext::input_any(std::size_t i) const { return runner_.input_any(node_, i); }
void OpContext::set_output_any(std::size_t i, const AnyValue& value) {
  if (!value.is_tensor()) {
    set_output_container(i, value.container);
    return;
  }
  Tensor& out = output(i, value.tensor.dtype(), value.tensor.shape());
  Tensor::copy_elements(value.tensor, out);
}
std::vector<AnyValue> OpContext::run_subgraph_any(const graph::Graph& g,
                                                  const std::vector<AnyValue>& inputs) {
  return runner_.run_subgraph_any(node_, g, inputs);
}
std::vector<Tensor> OpContext::run_subgraph(const graph::Graph& g,
                                            const std::vector<Tensor>& inputs) {
  return runner_.run_subgraph(node_, g, inputs);
}

INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_RUNNER_HPP
