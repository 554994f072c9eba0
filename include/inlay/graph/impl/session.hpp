// Session: a runner, the session's thread pool, and output copying. Implementation-only.
#ifndef INLAY_GRAPH_IMPL_SESSION_HPP
#define INLAY_GRAPH_IMPL_SESSION_HPP

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "inlay/core/cpu_target.hpp"
#include "inlay/graph/impl/device_runner.hpp"
#include "inlay/graph/impl/model.hpp"
#include "inlay/graph/impl/runner.hpp"
#include "inlay/graph/session.hpp"

INLAY_NAMESPACE_BEGIN

namespace graph {
namespace detail {

// The CPU runner as a device runner reaches it.
class RunnerHostNodes final : public HostNodes {
 public:
  explicit RunnerHostNodes(Runner& runner) : runner_(runner) {}
  void bind_inputs(const std::vector<Tensor>& inputs) override { runner_.bind_inputs(inputs); }
  const Tensor& value(int id) const override { return runner_.value(id); }
  void set_value(int id, Tensor t) override { runner_.set_value(id, std::move(t)); }
  void run_node(std::size_t node) override { runner_.run_single(node); }

 private:
  Runner& runner_;
};

}  // namespace detail
}  // namespace graph

struct Session::State {
  std::unique_ptr<ThreadPool> pool;
  std::unique_ptr<graph::Runner> runner;
  // With SessionOptions::device other than the CPU: the device's runner, which runs the CPU
  // nodes through `host` (the runner above).
  std::unique_ptr<graph::detail::RunnerHostNodes> host;
  std::unique_ptr<graph::DeviceRunner> device;
};

Session::Session(Model model, const SessionOptions& options)
    : model_(std::move(model)), state_(std::make_unique<State>()) {
  if (!options.cpu_target.empty()) set_cpu_target(options.cpu_target);
  Executor* executor = options.executor;
  if (executor == nullptr && options.threads > 1) {
    state_->pool = std::make_unique<ThreadPool>(options.threads, options.spin_microseconds);
    executor = state_->pool.get();
  }
  state_->runner = std::make_unique<graph::Runner>(*model_.impl().graph, executor);
  if (!options.device.empty() && options.device != "cpu") {
    const graph::DeviceRunnerFactory factory = graph::device_runner_factory();
    if (factory == nullptr) {
      fail(ErrorKind::invalid_argument,
           "SessionOptions::device '" + options.device +
               "': this program has no device implementation (build inlay with "
               "-DINLAY_WITH_CUDA=ON and call inlay_add_implementation(<target> CUDA); "
               "docs/cuda.md)");
    }
    state_->host = std::make_unique<graph::detail::RunnerHostNodes>(*state_->runner);
    state_->device =
        factory(*model_.impl().graph, options.device, options.device_stream, *state_->host);
  }
}

Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

std::size_t Session::arena_bytes() const noexcept { return state_->runner->arena_bytes(); }

std::string Session::placement() const {
  const graph::Graph& g = state_->runner->graph();
  std::vector<std::string> devices;
  if (state_->device != nullptr) devices = state_->device->node_devices();
  std::string text;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    text += (i < devices.size() ? devices[i] : std::string("cpu")) + " " + g.nodes[i].op_type +
            " '" + g.nodes[i].name + "'\n";
  }
  return text;
}

void Session::run_into(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) {
  if (state_->device != nullptr) {
    state_->device->run(inputs, outputs);
    return;
  }
  graph::Runner& runner = *state_->runner;
  runner.bind_inputs(inputs);
  runner.run();
  const graph::Graph& g = runner.graph();
  if (outputs.size() != g.outputs.size()) outputs.resize(g.outputs.size());
  for (std::size_t i = 0; i < g.outputs.size(); ++i) {
    const Tensor& src = runner.value(g.outputs[i]);
    if (!runner.any_value(g.outputs[i]).is_tensor()) {
      fail(ErrorKind::invalid_argument, "graph output '" + g.values[g.outputs[i]].name +
                                            "' is a sequence, an optional or a map: use "
                                            "Session::run_any");
    }
    if (!graph::Runner::computed(src)) {
      fail(ErrorKind::invalid_model, "graph output '" + g.values[g.outputs[i]].name +
                                         "' was never computed: the node that should produce it "
                                         "did not");
    }
    Tensor& dst = outputs[i];
    const bool reuse = !dst.empty() && !dst.is_read_only() && dst.dtype() == src.dtype() &&
                       dst.shape() == src.shape() && dst.raw_data() != src.raw_data();
    if (reuse) {
      Tensor::copy_elements(src, dst);
    } else {
      dst = src.clone();
    }
  }
}

std::vector<AnyValue> Session::run_any(const std::vector<AnyValue>& inputs) {
  if (state_->device != nullptr) {
    fail(ErrorKind::unsupported_op,
         "Session::run_any: a session on a device runs tensors only (Session::run)");
  }
  graph::Runner& runner = *state_->runner;
  runner.bind_inputs(inputs);
  runner.run();
  const graph::Graph& g = runner.graph();
  std::vector<AnyValue> outputs;
  for (int id : g.outputs) {
    if (!runner.is_computed(id)) {
      fail(ErrorKind::invalid_model, "graph output '" + g.values[id].name +
                                         "' was never computed: the node that should produce it "
                                         "did not");
    }
    AnyValue v = runner.any_value(id);
    if (v.is_tensor()) v.tensor = v.tensor.clone();  // arena memory is reused by the next run
    outputs.push_back(std::move(v));
  }
  return outputs;
}

std::vector<Tensor> Session::run(const std::vector<Tensor>& inputs) {
  std::vector<Tensor> outputs;
  run_into(inputs, outputs);
  return outputs;
}

std::vector<Tensor> Session::run(const std::vector<std::pair<std::string, Tensor>>& inputs) {
  const std::vector<std::string>& names = model_.input_names();
  std::vector<Tensor> ordered(names.size());
  std::vector<char> given(names.size(), 0);
  for (const auto& [name, tensor] : inputs) {
    std::size_t k = 0;
    while (k < names.size() && names[k] != name) ++k;
    if (k == names.size()) {
      std::string list;
      for (const std::string& n : names) list += (list.empty() ? "'" : ", '") + n + "'";
      fail(ErrorKind::invalid_argument,
           "Session::run: the model has no input named '" + name + "' (its inputs: " + list + ")");
    }
    if (given[k]) {
      fail(ErrorKind::invalid_argument, "Session::run: input '" + name + "' is given twice");
    }
    given[k] = 1;
    ordered[k] = tensor;
  }
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (!given[k]) {
      fail(ErrorKind::invalid_argument, "Session::run: input '" + names[k] + "' is missing");
    }
  }
  return run(ordered);
}

INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_SESSION_HPP
