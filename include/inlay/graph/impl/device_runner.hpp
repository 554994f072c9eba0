// graph::DeviceRunner: what a device implementation unit (the CUDA one, include/inlay/cuda/)
// gives a Session whose SessionOptions::device names its device. The CPU implementation knows
// devices only through this interface, so a program built without one compiles and links as
// before; the device unit registers its factory at static initialization. Implementation-only.
#ifndef INLAY_GRAPH_IMPL_DEVICE_RUNNER_HPP
#define INLAY_GRAPH_IMPL_DEVICE_RUNNER_HPP

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "inlay/core/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {

struct Graph;

// The session's CPU runner, as a device runner sees it: the nodes without a device kernel run
// there, on host tensors.
class HostNodes {
 public:
  virtual ~HostNodes() = default;
  virtual void bind_inputs(const std::vector<Tensor>& inputs) = 0;  // checked as on the CPU
  virtual const Tensor& value(int id) const = 0;
  virtual void set_value(int id, Tensor t) = 0;
  virtual void run_node(std::size_t node) = 0;  // allocates the node's outputs
};

class DeviceRunner {
 public:
  virtual ~DeviceRunner() = default;
  // Runs the graph on host inputs and writes host outputs (reused when dtype and shape fit).
  virtual void run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) = 0;
  // Per node of the graph, the device it runs on ("cpu" or e.g. "cuda:0").
  virtual std::vector<std::string> node_devices() const = 0;
};

// Makes the runner for `device` ("cuda:0" ...) on the host's `stream` (null: its own), or fails
// with an inlay::Error.
using DeviceRunnerFactory = std::unique_ptr<DeviceRunner> (*)(const Graph& g,
                                                              const std::string& device,
                                                              void* stream, HostNodes& host);

// The factory of the device implementation linked into the program, null when none is.
inline DeviceRunnerFactory& device_runner_factory() noexcept {
  static DeviceRunnerFactory factory = nullptr;
  return factory;
}

}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_DEVICE_RUNNER_HPP
