// Control flow: If, Loop, Scan (opset 8's batched form and 9+). Their bodies are subgraphs compiled
// at load; each iteration runs through OpContext::run_subgraph (which allocates: control flow is
// not on the no-allocation path). Implementation-only.
#ifndef INLAY_GRAPH_OPS_CONTROL_HPP
#define INLAY_GRAPH_OPS_CONTROL_HPP

#include <cstring>
#include <vector>

#include "inlay/graph/impl/ir.hpp"
#include "inlay/graph/ops/common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

inline const Graph& graph_attribute(const OpInfo& info, const char* name) {
  const Attribute& a = info.require(name, Attribute::Kind::graph);
  return *a.g;
}

inline bool read_condition(const OpContext& ctx, const Tensor& t, const char* what) {
  if (t.dtype() != DType::boolean || t.numel() != 1) {
    ctx.fail(ErrorKind::invalid_model, std::string(what) + " must be one bool, not " +
                                           dtype_name(t.dtype()) + " " + t.shape().to_string());
  }
  return *t.data<bool>();
}

// Stacks equally shaped tensors along a new axis `axis` (reversed when `reverse`).
inline void stack_into(OpContext& ctx, std::size_t output, const std::vector<Tensor>& parts,
                       std::size_t axis, bool reverse, const char* what) {
  const Tensor& first = parts.front();
  if (first.dtype() == DType::string) {  // stacked as bytes below
    ctx.fail(ErrorKind::unsupported_op, std::string(what) + ": string values cannot be stacked");
  }
  for (const Tensor& p : parts) {
    if (p.dtype() != first.dtype() || p.shape() != first.shape()) {
      ctx.fail(ErrorKind::shape_mismatch, std::string(what) + ": iterations produced " +
                                              first.shape().to_string() + " and " +
                                              p.shape().to_string());
    }
  }
  if (axis > first.rank()) {
    ctx.fail(ErrorKind::invalid_model,
             std::string(what) + ": axis " + std::to_string(axis) + " is out of range");
  }
  std::vector<std::int64_t> dims = dims_of(first.shape());
  dims.insert(dims.begin() + static_cast<std::ptrdiff_t>(axis),
              static_cast<std::int64_t>(parts.size()));
  Tensor& out = ctx.output(output, first.dtype(), make_shape(dims));
  std::size_t outer = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= static_cast<std::size_t>(first.shape()[d]);
  const std::size_t chunk = outer ? first.nbytes() / outer : 0;
  auto* dst = static_cast<char*>(const_cast<void*>(out.raw_data()));
  for (std::size_t o = 0; o < outer; ++o) {
    for (std::size_t k = 0; k < parts.size(); ++k) {
      const Tensor& p = parts[reverse ? parts.size() - 1 - k : k];
      std::memcpy(dst, static_cast<const char*>(p.raw_data()) + o * chunk, chunk);
      dst += chunk;
    }
  }
}

// Element t along `axis` of x, as a new tensor without that axis.
inline Tensor slice_at(const Tensor& x, std::size_t axis, std::int64_t t) {
  std::vector<std::int64_t> dims = dims_of(x.shape());
  std::size_t outer = 1, inner = dtype_size(x.dtype());
  for (std::size_t d = 0; d < axis; ++d) outer *= static_cast<std::size_t>(dims[d]);
  for (std::size_t d = axis + 1; d < dims.size(); ++d) inner *= static_cast<std::size_t>(dims[d]);
  const auto n = static_cast<std::size_t>(dims[axis]);
  dims.erase(dims.begin() + static_cast<std::ptrdiff_t>(axis));
  Tensor out(x.dtype(), make_shape(dims));
  auto* dst = static_cast<char*>(const_cast<void*>(out.raw_data()));
  const auto* src = static_cast<const char*>(x.raw_data());
  for (std::size_t o = 0; o < outer; ++o) {
    std::memcpy(dst + o * inner, src + (o * n + static_cast<std::size_t>(t)) * inner, inner);
  }
  return out;
}

class IfKernel final : public OpKernel {
 public:
  explicit IfKernel(const OpInfo& info)
      : then_(graph_attribute(info, "then_branch")), else_(graph_attribute(info, "else_branch")) {}
  void run(OpContext& ctx) const override {
    const bool cond = read_condition(ctx, ctx.input(0), "the condition");
    const Graph& branch = cond ? then_ : else_;
    const std::vector<AnyValue> outs = ctx.run_subgraph_any(branch, {});
    if (outs.size() != ctx.output_count()) {
      ctx.fail(ErrorKind::invalid_model, std::string(cond ? "then" : "else") + "_branch has " +
                                             std::to_string(outs.size()) + " outputs, the node " +
                                             std::to_string(ctx.output_count()));
    }
    for (std::size_t i = 0; i < outs.size(); ++i) ctx.set_output_any(i, outs[i]);
  }

 private:
  const Graph& then_;
  const Graph& else_;
};

// Loop(M, cond, v_initial...) -> (v_final..., scan_outputs...). The body maps (iteration, cond,
// v...) to (cond, v..., scan...).
class LoopKernel final : public OpKernel {
 public:
  explicit LoopKernel(const OpInfo& info) : body_(graph_attribute(info, "body")) {}
  void run(OpContext& ctx) const override {
    const std::size_t carried = ctx.input_count() >= 2 ? ctx.input_count() - 2 : 0;
    if (body_.inputs.size() != carried + 2 || body_.outputs.size() < carried + 1) {
      ctx.fail(ErrorKind::invalid_model,
               "the body has " + std::to_string(body_.inputs.size()) + " inputs and " +
                   std::to_string(body_.outputs.size()) + " outputs; " + std::to_string(carried) +
                   " loop-carried values need " + std::to_string(carried + 2) +
                   " inputs and at least " + std::to_string(carried + 1) + " outputs");
    }
    const std::size_t scans = body_.outputs.size() - 1 - carried;
    if (ctx.output_count() > carried + scans) {
      ctx.fail(ErrorKind::invalid_model, "the node has more outputs than the body produces");
    }
    std::int64_t trips = -1;  // no limit
    if (ctx.has_input(0))
      trips = static_cast<std::int64_t>(read_scalar(ctx.info(), ctx.input(0), "M"));
    bool cond = true;
    if (ctx.input_count() > 1 && ctx.has_input(1)) cond = read_condition(ctx, ctx.input(1), "cond");
    if (trips < 0 && !(ctx.input_count() > 1 && ctx.has_input(1))) {
      ctx.fail(ErrorKind::invalid_model, "a loop with neither M nor cond never ends");
    }
    std::vector<AnyValue> state;  // loop-carried values may be sequences or optionals
    for (std::size_t i = 0; i < carried; ++i) state.push_back(ctx.input_any(2 + i));
    std::vector<std::vector<Tensor>> scanned(scans);
    Tensor iteration(DType::i64, Shape{});
    Tensor condition(DType::boolean, Shape{});
    for (std::int64_t i = 0; (trips < 0 || i < trips) && cond; ++i) {
      *iteration.data<std::int64_t>() = i;
      *condition.data<bool>() = cond;
      std::vector<AnyValue> in;
      in.push_back(AnyValue{iteration.clone(), nullptr});
      in.push_back(AnyValue{condition.clone(), nullptr});
      for (const AnyValue& s : state) in.push_back(s);
      std::vector<AnyValue> out = ctx.run_subgraph_any(body_, in);
      for (std::size_t k = 0; k < out.size(); ++k) {
        if ((k == 0 || k > carried) && !out[k].is_tensor()) {
          ctx.fail(ErrorKind::unsupported_op,
                   "body output " + std::to_string(k) + " ('" +
                       body_.values[body_.outputs[k]].name +
                       "') is a sequence or optional; only loop-carried values may be");
        }
      }
      cond = read_condition(ctx, out[0].tensor, "the body's condition output");
      for (std::size_t k = 0; k < carried; ++k) state[k] = out[1 + k];
      for (std::size_t k = 0; k < scans; ++k) scanned[k].push_back(out[1 + carried + k].tensor);
    }
    for (std::size_t k = 0; k < carried && k < ctx.output_count(); ++k) {
      if (ctx.has_output(k)) ctx.set_output_any(k, state[k]);
    }
    for (std::size_t k = 0; k < scans && carried + k < ctx.output_count(); ++k) {
      if (!ctx.has_output(carried + k)) continue;
      if (scanned[k].empty()) {
        // No iteration ran: an empty stack whose element shape is unknown; use the body's
        // declared type when it has one.
        const Value& v = body_.values[body_.outputs[1 + carried + k]];
        std::vector<std::int64_t> dims{0};
        if (v.has_shape) {
          for (std::int64_t d : v.dims) dims.push_back(d < 0 ? 0 : d);
        }
        ctx.output(carried + k, v.has_dtype ? v.dtype : DType::f32, make_shape(dims));
        continue;
      }
      stack_into(ctx, carried + k, scanned[k], 0, false, "scan output");
    }
  }

 private:
  const Graph& body_;
};

// Scan (opset 9+, no batch axis): states carried through the iterations, scan inputs sliced along
// their scan axes, scan outputs stacked along theirs.
class ScanKernel final : public OpKernel {
 public:
  explicit ScanKernel(const OpInfo& info)
      : body_(graph_attribute(info, "body")),
        scan_inputs_(
            static_cast<std::size_t>(info.require("num_scan_inputs", Attribute::Kind::int_).i)),
        input_axes_(info.get_ints("scan_input_axes")),
        input_directions_(info.get_ints("scan_input_directions")),
        output_axes_(info.get_ints("scan_output_axes")),
        output_directions_(info.get_ints("scan_output_directions")) {
    if (scan_inputs_ > info.input_count()) {
      info.fail(ErrorKind::invalid_model, "num_scan_inputs exceeds the number of inputs");
    }
  }
  void run(OpContext& ctx) const override {
    const std::size_t states = ctx.input_count() - scan_inputs_;
    if (body_.inputs.size() != ctx.input_count() || body_.outputs.size() < states) {
      ctx.fail(ErrorKind::invalid_model, "the body's inputs/outputs do not match the node's");
    }
    const std::size_t scan_outputs = body_.outputs.size() - states;
    std::vector<Tensor> state;
    for (std::size_t i = 0; i < states; ++i) state.push_back(ctx.input(i));
    // Slice geometry per scan input.
    std::int64_t length = -1;
    std::vector<std::size_t> axes(scan_inputs_);
    for (std::size_t k = 0; k < scan_inputs_; ++k) {
      const Tensor& x = ctx.input(states + k);
      const std::int64_t a = k < input_axes_.size() ? input_axes_[k] : 0;
      axes[k] = normalize_axis(ctx.info(), a, x.rank(), "scan_input_axes");
      const std::int64_t n = x.shape()[axes[k]];
      if (length >= 0 && n != length) {
        ctx.fail(ErrorKind::shape_mismatch, "scan inputs have different lengths (" +
                                                std::to_string(length) + " and " +
                                                std::to_string(n) + ")");
      }
      length = n;
    }
    if (length < 0) length = 0;
    std::vector<std::vector<Tensor>> scanned(scan_outputs);
    for (std::int64_t t = 0; t < length; ++t) {
      std::vector<Tensor> in = state;
      for (std::size_t k = 0; k < scan_inputs_; ++k) {
        const bool reverse = k < input_directions_.size() && input_directions_[k] != 0;
        in.push_back(slice_at(ctx.input(states + k), axes[k], reverse ? length - 1 - t : t));
      }
      std::vector<Tensor> out = ctx.run_subgraph(body_, in);
      for (std::size_t i = 0; i < states; ++i) state[i] = out[i];
      for (std::size_t k = 0; k < scan_outputs; ++k) scanned[k].push_back(out[states + k]);
    }
    for (std::size_t i = 0; i < states && i < ctx.output_count(); ++i) {
      if (ctx.has_output(i)) copy_to_output(ctx, i, state[i], state[i].shape());
    }
    for (std::size_t k = 0; k < scan_outputs && states + k < ctx.output_count(); ++k) {
      if (!ctx.has_output(states + k)) continue;
      const std::int64_t a = k < output_axes_.size() ? output_axes_[k] : 0;
      if (scanned[k].empty()) {
        // A sequence of length 0: the element's shape comes from the body's declared output
        // (unknown dimensions as 0), the empty scan axis inserted at its place.
        const Value& v = body_.values[body_.outputs[states + k]];
        if (!v.has_shape) {
          ctx.fail(ErrorKind::unsupported_op,
                   "a scan over zero iterations needs the body's output '" + v.name +
                       "' to declare its shape");
        }
        std::vector<std::int64_t> dims;
        for (std::int64_t d : v.dims) dims.push_back(d < 0 ? 0 : d);
        const std::size_t axis = normalize_axis(ctx.info(), a, dims.size() + 1, "scan_output_axes");
        dims.insert(dims.begin() + static_cast<std::ptrdiff_t>(axis), 0);
        ctx.output(states + k, v.has_dtype ? v.dtype : DType::f32, make_shape(dims));
        continue;
      }
      const std::size_t axis =
          normalize_axis(ctx.info(), a, scanned[k][0].rank() + 1, "scan_output_axes");
      const bool reverse = k < output_directions_.size() && output_directions_[k] != 0;
      stack_into(ctx, states + k, scanned[k], axis, reverse, "scan output");
    }
  }

 private:
  const Graph& body_;
  std::size_t scan_inputs_;
  std::vector<std::int64_t> input_axes_, input_directions_, output_axes_, output_directions_;
};

// Scan opset 8: input 0 is the optional sequence_lens [batch]; the states and the scan inputs
// have a batch axis 0, the scan inputs their sequence on axis 1. Each batch entry runs its own
// scan over sequence_lens[b] steps (all of axis 1 without sequence_lens); final states are
// stacked along axis 0, scan outputs as [batch, max_length, ...] with the steps past a shorter
// sequence zero (the spec leaves them undefined).
class BatchedScanKernel final : public OpKernel {
 public:
  explicit BatchedScanKernel(const OpInfo& info)
      : body_(graph_attribute(info, "body")),
        num_scan_inputs_(info.require("num_scan_inputs", Attribute::Kind::int_).i),
        directions_(info.get_ints("directions")) {
    if (num_scan_inputs_ < 1 ||
        num_scan_inputs_ + 1 > static_cast<std::int64_t>(info.input_count())) {
      info.fail(ErrorKind::invalid_model, "num_scan_inputs " + std::to_string(num_scan_inputs_) +
                                              " must be in [1, the number of inputs after "
                                              "sequence_lens]");
    }
    if (directions_.size() > static_cast<std::size_t>(num_scan_inputs_)) {
      info.fail(ErrorKind::invalid_model, "directions has more entries than num_scan_inputs");
    }
    for (std::int64_t d : directions_) {
      if (d != 0 && d != 1) {
        info.fail(ErrorKind::invalid_model, "directions must be 0 or 1, got " + std::to_string(d));
      }
    }
  }

  void run(OpContext& ctx) const override {
    const auto scans = static_cast<std::size_t>(num_scan_inputs_);
    const std::size_t states = ctx.input_count() - 1 - scans;
    if (body_.inputs.size() != states + scans || body_.outputs.size() < states) {
      ctx.fail(ErrorKind::invalid_model, "the body's inputs/outputs do not match the node's");
    }
    const std::size_t scan_outputs = body_.outputs.size() - states;
    // Batch size and maximum length from the scan inputs; the states need the same batch.
    std::int64_t batch = -1, max_length = -1;
    for (std::size_t k = 0; k < scans; ++k) {
      const Tensor& x = ctx.input(1 + states + k);
      if (x.rank() < 2) {
        ctx.fail(ErrorKind::shape_mismatch, "scan input " + std::to_string(k) + " " +
                                                x.shape().to_string() +
                                                " must be [batch, sequence, ...]");
      }
      if (k > 0 && (x.shape()[0] != batch || x.shape()[1] != max_length)) {
        ctx.fail(ErrorKind::shape_mismatch,
                 "scan inputs differ in batch size or sequence length (" +
                     ctx.input(1 + states).shape().to_string() + " and " + x.shape().to_string() +
                     ")");
      }
      batch = x.shape()[0];
      max_length = x.shape()[1];
    }
    for (std::size_t i = 0; i < states; ++i) {
      const Tensor& s = ctx.input(1 + i);
      if (s.rank() < 1 || s.shape()[0] != batch) {
        ctx.fail(ErrorKind::shape_mismatch, "initial state " + std::to_string(i) + " " +
                                                s.shape().to_string() + " must have batch size " +
                                                std::to_string(batch) + " on axis 0");
      }
    }
    const std::vector<std::int64_t> lengths = sequence_lengths(ctx, batch, max_length);

    std::vector<std::vector<Tensor>> final_states(states);
    // scanned[k][b]: the outputs of batch entry b's steps for scan output k.
    std::vector<std::vector<std::vector<Tensor>>> scanned(
        scan_outputs, std::vector<std::vector<Tensor>>(static_cast<std::size_t>(batch)));
    for (std::int64_t b = 0; b < batch; ++b) {
      std::vector<Tensor> state;
      for (std::size_t i = 0; i < states; ++i) state.push_back(slice_at(ctx.input(1 + i), 0, b));
      std::vector<Tensor> sequences;
      for (std::size_t k = 0; k < scans; ++k) {
        sequences.push_back(slice_at(ctx.input(1 + states + k), 0, b));
      }
      const std::int64_t n = lengths[static_cast<std::size_t>(b)];
      for (std::int64_t t = 0; t < n; ++t) {
        std::vector<Tensor> in = state;
        for (std::size_t k = 0; k < scans; ++k) {
          const bool reverse = k < directions_.size() && directions_[k] == 1;
          in.push_back(slice_at(sequences[k], 0, reverse ? n - 1 - t : t));
        }
        std::vector<Tensor> out = ctx.run_subgraph(body_, in);
        for (std::size_t i = 0; i < states; ++i) state[i] = out[i];
        for (std::size_t k = 0; k < scan_outputs; ++k) {
          scanned[k][static_cast<std::size_t>(b)].push_back(out[states + k]);
        }
      }
      for (std::size_t i = 0; i < states; ++i) final_states[i].push_back(state[i]);
    }

    for (std::size_t i = 0; i < states && i < ctx.output_count(); ++i) {
      if (!ctx.has_output(i)) continue;
      if (batch == 0) {
        copy_to_output(ctx, i, ctx.input(1 + i), ctx.input(1 + i).shape());
      } else {
        stack_into(ctx, i, final_states[i], 0, false, "final state");
      }
    }
    for (std::size_t k = 0; k < scan_outputs && states + k < ctx.output_count(); ++k) {
      if (ctx.has_output(states + k)) write_scan_output(ctx, states + k, scanned[k], max_length);
    }
  }

 private:
  // sequence_lens when given (int64 [batch], each in [0, max_length]), else max_length each.
  static std::vector<std::int64_t> sequence_lengths(const OpContext& ctx, std::int64_t batch,
                                                    std::int64_t max_length) {
    std::vector<std::int64_t> lengths(static_cast<std::size_t>(batch), max_length);
    if (!ctx.has_input(0)) return lengths;
    const Tensor& s = ctx.input(0);
    if (s.dtype() != DType::i64 || s.rank() != 1 || s.shape()[0] != batch) {
      ctx.fail(ErrorKind::shape_mismatch, std::string("sequence_lens ") + dtype_name(s.dtype()) +
                                              " " + s.shape().to_string() + " must be i64 [" +
                                              std::to_string(batch) + "]");
    }
    for (std::size_t b = 0; b < lengths.size(); ++b) {
      const std::int64_t n = s.data<std::int64_t>()[b];
      if (n < 0 || n > max_length) {
        ctx.fail(ErrorKind::invalid_argument, "sequence_lens[" + std::to_string(b) +
                                                  "] = " + std::to_string(n) + " is outside [0, " +
                                                  std::to_string(max_length) + "]");
      }
      lengths[b] = n;
    }
    return lengths;
  }

  // [batch, max_length, element...]: every step's element in place, the rest zero.
  void write_scan_output(OpContext& ctx, std::size_t output,
                         const std::vector<std::vector<Tensor>>& per_batch,
                         std::int64_t max_length) const {
    const Tensor* first = nullptr;
    for (const auto& steps : per_batch) {
      for (const Tensor& t : steps) {
        if (first == nullptr) first = &t;
        if (t.dtype() != first->dtype() || t.shape() != first->shape()) {
          ctx.fail(ErrorKind::shape_mismatch,
                   "scan output " + std::to_string(output) + ": iterations produced " +
                       first->shape().to_string() + " and " + t.shape().to_string());
        }
      }
    }
    std::vector<std::int64_t> dims;
    DType dtype = DType::f32;
    if (first != nullptr) {
      dims = dims_of(first->shape());
      dtype = first->dtype();
    } else {  // no step ran: the element's shape as the body declares it
      const Value& v = body_.values[body_.outputs[output]];
      if (!v.has_shape) {
        ctx.fail(ErrorKind::unsupported_op, "a scan over zero steps needs the body's output '" +
                                                v.name + "' to declare its shape");
      }
      for (std::int64_t d : v.dims) dims.push_back(d < 0 ? 0 : d);
      if (v.has_dtype) dtype = v.dtype;
    }
    if (dtype == DType::string) {  // copied as bytes below
      ctx.fail(ErrorKind::unsupported_op,
               "scan output " + std::to_string(output) + ": string values cannot be stacked");
    }
    const std::size_t element_bytes =
        static_cast<std::size_t>(make_shape(dims).numel()) * dtype_size(dtype);
    dims.insert(dims.begin(), {static_cast<std::int64_t>(per_batch.size()), max_length});
    Tensor& out = ctx.output(output, dtype, make_shape(dims));
    auto* dst = static_cast<char*>(const_cast<void*>(out.raw_data()));
    if (out.nbytes()) std::memset(dst, 0, out.nbytes());
    for (std::size_t b = 0; b < per_batch.size(); ++b) {
      for (std::size_t t = 0; t < per_batch[b].size(); ++t) {
        if (element_bytes) {
          std::memcpy(dst + (b * static_cast<std::size_t>(max_length) + t) * element_bytes,
                      per_batch[b][t].raw_data(), element_bytes);
        }
      }
    }
  }

  const Graph& body_;
  std::int64_t num_scan_inputs_;
  std::vector<std::int64_t> directions_;
};

inline void register_control_ops(OpSet& ops) {
  ops.add("", "If", 1, factory<IfKernel>());
  ops.add("", "Loop", 1, factory<LoopKernel>());
  ops.add("", "Scan", 8, factory<BatchedScanKernel>());
  ops.add("", "Scan", 9, factory<ScanKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_CONTROL_HPP
