// cuda::GraphRunner: runs a session's graph with the nodes that have a cuda::DeviceOp on the GPU
// and the others on the CPU (through the session's own runner). The partition is made once, at
// session creation: each value then has one producer side, so the copies a run makes follow
// from it (host to device where a GPU node reads a value the CPU made or the host gave, device
// to host where a CPU node or a graph output reads one the GPU made) and are made at most once
// per value and run. The model's constants that GPU nodes read are uploaded at creation.
// Device memory: one buffer per value, sized by the first run with its shape and reused after.
// Implementation-only (CUDA unit).
#ifndef INLAY_CUDA_IMPL_RUNNER_HPP
#define INLAY_CUDA_IMPL_RUNNER_HPP

#include <cuda_runtime_api.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "inlay/cuda/device.hpp"
#include "inlay/cuda/impl/check.hpp"
#include "inlay/cuda/impl/context.hpp"
#include "inlay/cuda/impl/memory.hpp"
#include "inlay/cuda/impl/ops.hpp"
#include "inlay/graph/impl/device_runner.hpp"
#include "inlay/graph/impl/ir.hpp"

INLAY_NAMESPACE_BEGIN
namespace cuda {
namespace detail {

// "cuda" or "cuda:N" -> N; an Error for anything else or a GPU the runtime does not see.
inline int parse_device(const std::string& device) {
  int index = 0;
  if (device != "cuda") {
    const std::string prefix = "cuda:";
    bool ok = device.size() > prefix.size() && device.compare(0, prefix.size(), prefix) == 0 &&
              device.size() - prefix.size() <= 4;
    for (std::size_t i = prefix.size(); ok && i < device.size(); ++i) {
      ok = device[i] >= '0' && device[i] <= '9';
    }
    if (!ok) {
      fail(ErrorKind::invalid_argument,
           "SessionOptions::device '" + device + "' is not \"cpu\", \"cuda\" or \"cuda:N\"");
    }
    index = std::atoi(device.c_str() + prefix.size());
  }
  const int count = device_count();
  if (count == 0) {
    fail(ErrorKind::invalid_argument,
         "SessionOptions::device '" + device + "': no CUDA GPU (" + no_device_reason() + ")");
  }
  if (index >= count) {
    fail(ErrorKind::invalid_argument, "SessionOptions::device '" + device + "': there are " +
                                          std::to_string(count) + " CUDA GPUs");
  }
  return index;
}

}  // namespace detail

class GraphRunner final : public graph::DeviceRunner {
 public:
  GraphRunner(const graph::Graph& g, const std::string& device, void* stream,
              graph::HostNodes& host)
      : g_(g),
        host_(host),
        name_("cuda:" + std::to_string(detail::parse_device(device))),
        context_(detail::parse_device(device), stream) {
    // INLAY_CUDA_CONV=im2col: convolutions without cuDNN (to compare both on one GPU).
    const char* conv = std::getenv("INLAY_CUDA_CONV");
    const bool use_cudnn = has_cudnn() && !(conv != nullptr && std::string(conv) == "im2col");
    ops_.resize(g.nodes.size());
    values_.resize(g.values.size());
    // Values a GPU node makes are f32 whatever the loader's dtype rules know (they know nothing
    // of inlay's fused ops), so the nodes after them may run on the GPU too.
    std::vector<char> made_on_gpu(g.values.size(), 0), f32_inputs;
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
      const graph::Node& n = g.nodes[i];
      if (n.host_kernel || !n.implicit_inputs.empty()) continue;  // the host's ops, subgraphs
      std::size_t used = 0;
      for (int id : n.outputs) used += id >= 0 ? 1 : 0;
      if (n.outputs.empty() || n.outputs[0] < 0) continue;
      f32_inputs.assign(n.inputs.size(), 0);
      for (std::size_t k = 0; k < n.inputs.size(); ++k) {
        f32_inputs[k] = n.inputs[k] >= 0 && made_on_gpu[n.inputs[k]];
      }
      ops_[i] = make_device_op(g.infos[i], n.op_type, n.domain, used, f32_inputs, use_cudnn);
      if (ops_[i] != nullptr) made_on_gpu[n.outputs[0]] = 1;
    }
    // The constants GPU nodes read: uploaded once, here.
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
      if (ops_[i] == nullptr) continue;
      for (std::size_t k : ops_[i]->device_inputs()) {
        const int id = g.nodes[i].inputs[k];
        const Tensor& c = g.values[id].constant;
        Slot& s = values_[id];
        if (c.empty() || s.constant) continue;
        s.constant = true;
        s.shape = c.shape();
        s.buffer = DeviceBuffer(c.nbytes());
        INLAY_CUDA_CHECK(
            cudaMemcpy(s.buffer.data(), c.raw_data(), c.nbytes(), cudaMemcpyHostToDevice));
      }
    }
  }

  std::vector<std::string> node_devices() const override {
    std::vector<std::string> devices;
    for (const auto& op : ops_) devices.push_back(op != nullptr ? name_ : std::string("cpu"));
    return devices;
  }

  void run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) override {
    INLAY_CUDA_CHECK(cudaSetDevice(context_.device()));  // this thread may not have chosen it
    host_.bind_inputs(inputs);                           // checks dtypes and shapes as the CPU does
    for (std::size_t id = 0; id < values_.size(); ++id) {
      Slot& s = values_[id];
      if (s.constant) continue;
      s.on_device = false;
      s.on_host = !g_.values[id].constant.empty();
    }
    for (int id : g_.inputs) values_[id].on_host = true;

    std::vector<const float*>& in = in_;
    std::vector<Shape>& shapes = shapes_;
    for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
      const graph::Node& n = g_.nodes[i];
      if (ops_[i] == nullptr) {
        for (int id : n.inputs) to_host(id);
        for (int id : n.implicit_inputs) to_host(id);
        host_.run_node(i);
        for (int id : n.outputs) {
          if (id >= 0) {
            values_[id].on_host = true;
            values_[id].on_device = false;
          }
        }
        continue;
      }
      in.clear();
      shapes.clear();
      for (std::size_t k : ops_[i]->device_inputs()) {
        const int id = n.inputs[k];
        to_device(i, id);
        in.push_back(values_[id].buffer.floats());
        shapes.push_back(values_[id].shape);
      }
      const Shape shape = ops_[i]->output_shape(shapes);
      Slot& out = values_[n.outputs[0]];
      out.buffer.reserve(static_cast<std::size_t>(shape.numel()) * sizeof(float));
      out.shape = shape;
      ops_[i]->run(context_, in, shapes, out.buffer.floats(), shape);
      out.on_device = true;
      out.on_host = false;
    }

    if (outputs.size() != g_.outputs.size()) outputs.resize(g_.outputs.size());
    for (std::size_t k = 0; k < g_.outputs.size(); ++k) {
      const int id = g_.outputs[k];
      Slot& s = values_[id];
      Tensor& dst = outputs[k];
      if (s.on_device && !s.on_host) {
        const bool reuse = !dst.empty() && !dst.is_read_only() && dst.dtype() == DType::f32 &&
                           dst.shape() == s.shape;
        if (!reuse) dst = Tensor(DType::f32, s.shape);
        INLAY_CUDA_CHECK(cudaMemcpyAsync(dst.data<float>(), s.buffer.data(), dst.nbytes(),
                                         cudaMemcpyDeviceToHost, context_.stream()));
      } else {
        const Tensor& src = host_.value(id);
        const bool reuse = !dst.empty() && !dst.is_read_only() && dst.dtype() == src.dtype() &&
                           dst.shape() == src.shape() && dst.raw_data() != src.raw_data();
        if (reuse) {
          Tensor::copy_elements(src, dst);
        } else {
          dst = src.clone();
        }
      }
    }
    context_.synchronize();  // the one wait of a run: the outputs are the host's now
  }

 private:
  struct Slot {
    DeviceBuffer buffer;
    Shape shape;            // of the device copy
    bool constant = false;  // uploaded at creation, always on both sides
    bool on_device = false, on_host = false;
    Tensor host_copy;  // where a CPU node reads a GPU value (reused while the shape holds)
  };

  // Makes value `id` readable by the CPU runner.
  void to_host(int id) {
    if (id < 0) return;
    Slot& s = values_[id];
    if (s.constant || s.on_host || !s.on_device) return;
    if (s.host_copy.empty() || s.host_copy.shape() != s.shape) {
      s.host_copy = Tensor(DType::f32, s.shape);
    }
    INLAY_CUDA_CHECK(cudaMemcpyAsync(s.host_copy.data<float>(), s.buffer.data(),
                                     s.host_copy.nbytes(), cudaMemcpyDeviceToHost,
                                     context_.stream()));
    context_.synchronize();  // the CPU node reads it next
    host_.set_value(id, s.host_copy);
    s.on_host = true;
  }

  // Makes value `id` readable by GPU node `node`.
  void to_device(std::size_t node, int id) {
    Slot& s = values_[id];
    if (s.constant || s.on_device) return;
    const Tensor& t = host_.value(id);
    if (t.empty() && t.numel() != 0) {
      g_.infos[node].fail(ErrorKind::invalid_model, "input '" + g_.values[id].name +
                                                        "' was never computed: the node that "
                                                        "should produce it did not");
    }
    if (t.dtype() != DType::f32) {
      g_.infos[node].fail(ErrorKind::unsupported_op,
                          "input '" + g_.values[id].name + "' is " + dtype_name(t.dtype()) +
                              "; this node runs on the GPU for f32 only");
    }
    s.buffer.reserve(t.nbytes());
    s.shape = t.shape();
    if (t.nbytes() > 0) {
      // From pageable memory the call returns once the bytes are staged: `t` may change after.
      INLAY_CUDA_CHECK(cudaMemcpyAsync(s.buffer.data(), t.raw_data(), t.nbytes(),
                                       cudaMemcpyHostToDevice, context_.stream()));
    }
    s.on_device = true;
  }

  const graph::Graph& g_;
  graph::HostNodes& host_;
  std::string name_;
  Context context_;
  std::vector<std::unique_ptr<DeviceOp>> ops_;  // per node; null: it runs on the CPU
  std::vector<Slot> values_;                    // per value
  std::vector<const float*> in_;                // one node's device inputs, kept between runs
  std::vector<Shape> shapes_;
};

namespace detail {

inline std::unique_ptr<graph::DeviceRunner> make_graph_runner(const graph::Graph& g,
                                                              const std::string& device,
                                                              void* stream,
                                                              graph::HostNodes& host) {
  return std::make_unique<GraphRunner>(g, device, stream, host);
}

}  // namespace detail
}  // namespace cuda
INLAY_NAMESPACE_END

#endif  // INLAY_CUDA_IMPL_RUNNER_HPP
