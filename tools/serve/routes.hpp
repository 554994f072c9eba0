// The HTTP routes of inlay-serve: the KServe v2 REST endpoints (health, server and model
// metadata, model ready, infer), the repository's load/unload/index, and /metrics. Every error
// is answered {"error": "..."} with its status: 400 bad request, 401 missing or wrong token,
// 404 unknown model, 413 too large, 429 queue full, 503 unloading or timed out, 500 otherwise.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>
#include <nlohmann/json.hpp>

#include "auth.hpp"
#include "json_tensors.hpp"
#include "metrics.hpp"
#include "repository.hpp"
#include "request_error.hpp"
#include "status_page.hpp"

namespace inlay_serve {

struct ServerOptions {
  std::string infer_token;       // "" = inference endpoints open
  std::string repository_token;  // "" = repository endpoints open
  TensorLimits limits;
  std::size_t max_body_bytes = std::size_t{64} << 20;
};

inline void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  // Replace, not throw on, bytes that are not UTF-8 (a model's string outputs may hold any).
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

inline void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, json{{"error", message}});
  if (status == 401) res.set_header("WWW-Authenticate", "Bearer");
}

// Runs a handler and turns what it throws into an error response; returns the status sent.
template <class F>
int answer(httplib::Response& res, F&& handler) {
  try {
    handler();
  } catch (const RequestError& e) {
    send_error(res, e.status(), e.what());
  } catch (const json::exception& e) {
    send_error(res, 400, std::string("malformed JSON: ") + e.what());
  } catch (const inlay::Error& e) {
    send_error(res, 400, e.what());
  } catch (const std::exception& e) { send_error(res, 500, e.what()); }
  return res.status;
}

inline json value_desc_json(const inlay::ValueDesc& v) {
  json shape = json::array();
  for (std::int64_t d : v.dims) shape.push_back(d);
  return json{{"name", v.name}, {"datatype", datatype_name(v.dtype)}, {"shape", shape}};
}

class Routes {
 public:
  Routes(Repository& repository, Metrics& metrics, ServerOptions options)
      : repository_(repository), metrics_(metrics), options_(std::move(options)) {}

  // Set once the models of the repository were loaded at start-up.
  std::atomic<bool> ready{false};

  void install(httplib::Server& server) {
    server.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(status_page(metrics_, repository_.loaded_names()),
                      "text/html; charset=utf-8");
    });
    server.Get("/v2/health/live", [](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, json{{"live", true}});
    });
    server.Get("/v2/health/ready", [this](const httplib::Request&, httplib::Response& res) {
      send_json(res, ready ? 200 : 503, json{{"ready", ready.load()}});
    });
    server.Get("/v2", [](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200,
                json{{"name", "inlay-serve"},
                     {"version", INLAY_VERSION_STRING},
                     {"extensions", json::array({"binary_tensor_data", "model_repository"})}});
    });
    const std::string model = R"(/v2/models/([^/]+)(?:/versions/([^/]+))?)";
    server.Get(model, [this](const httplib::Request& req, httplib::Response& res) {
      answer(res, [&] { metadata(req, res); });
    });
    server.Get(model + "/ready", [this](const httplib::Request& req, httplib::Response& res) {
      answer(res, [&] {
        require(options_.infer_token, req);
        const auto m = find(req);
        send_json(res, 200, json{{"name", m->name}, {"version", m->version}, {"ready", true}});
      });
    });
    // Handlers that read the body themselves: httplib caps bodies it reads whole at 8 KiB when
    // they are sent as application/x-www-form-urlencoded, as `curl -d` does by default.
    server.Post(model + "/infer", [this](const httplib::Request& req, httplib::Response& res,
                                         const httplib::ContentReader& reader) {
      std::string body;
      try {
        body = read_body(req, reader);
      } catch (const RequestError& e) {
        send_error(res, e.status(), e.what());
        metrics_.count_request("", "", e.status());
        return;
      }
      infer(req, res, body);
    });
    server.Post("/v2/repository/index",
                [this](const httplib::Request& req, httplib::Response& res) {
                  answer(res, [&] {
                    require(options_.repository_token, req);
                    json list = json::array();
                    for (const std::string& name : repository_.folder_names()) {
                      const std::vector<std::string> versions = repository_.versions(name);
                      if (versions.empty())
                        list.push_back(json{{"name", name}, {"state", "UNAVAILABLE"}});
                      for (const std::string& v : versions)
                        list.push_back(json{{"name", name}, {"version", v}, {"state", "READY"}});
                    }
                    send_json(res, 200, list);
                  });
                });
    server.Post(R"(/v2/repository/models/([^/]+)/(load|unload))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  answer(res, [&] {
                    require(options_.repository_token, req);
                    const std::string name = req.matches[1];
                    if (req.matches[2] == "load") {
                      repository_.load(name);
                    } else {
                      repository_.unload(name);
                    }
                    send_json(res, 200, json::object());
                  });
                });
    server.Post(model + "/feedback", [this](const httplib::Request& req, httplib::Response& res,
                                            const httplib::ContentReader& reader) {
      answer(res, [&] {
        const std::string text = read_body(req, reader);
        require(options_.infer_token, req);
        const auto m = find(req);
        const json body = json::parse(text);
        if (!body.is_object() || !body.contains("id") || !body["id"].is_string() ||
            !body.contains("label") || !body["label"].is_number())
          throw RequestError(400, "feedback needs {\"id\": string, \"label\": number}");
        m->feedback->feedback(body["id"].get<std::string>(), body["label"].get<double>());
        send_json(res, 200, json::object());
      });
    });
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      std::string per_model;
      for (const auto& m : repository_.all_loaded()) {
        const std::string labels = model_labels(m->name, m->version);
        m->drift->render(per_model, labels);
        m->feedback->render(per_model, labels);
      }
      const std::string text = metrics_.render() + group_families(per_model);
      res.set_content(text, "text/plain; version=0.0.4");
    });
    // Errors httplib answers itself (no route, body over the limit) get a JSON body too.
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      const char* what = res.status == 404   ? "no such endpoint"
                         : res.status == 413 ? "request body larger than the server's limit"
                                             : "the request failed";
      send_error(res, res.status, what);
    });
  }

 private:
  static void require(const std::string& token, const httplib::Request& req) {
    if (!authorized(token, req.get_header_value("Authorization")))
      throw RequestError(401, "missing or wrong bearer token");
  }

  std::shared_ptr<const LoadedModel> find(const httplib::Request& req) const {
    const std::string name = req.matches[1];
    const std::string version = req.matches.size() > 2 ? std::string(req.matches[2]) : "";
    auto m = repository_.find(name, version);
    if (!m) {
      throw RequestError(
          404, "unknown model '" + name + "'" + (version.empty() ? "" : " version " + version));
    }
    return m;
  }

  void metadata(const httplib::Request& req, httplib::Response& res) {
    require(options_.infer_token, req);
    const auto m = find(req);
    json inputs = json::array(), outputs = json::array();
    for (const inlay::ValueDesc& v : m->model.inputs()) inputs.push_back(value_desc_json(v));
    for (const inlay::ValueDesc& v : m->model.outputs()) outputs.push_back(value_desc_json(v));
    send_json(res, 200,
              json{{"name", m->name},
                   {"versions", repository_.versions(m->name)},
                   {"platform", "onnx"},
                   {"inputs", inputs},
                   {"outputs", outputs},
                   {"parameters", json{{"dynamic_batching", m->pool->batching()},
                                       {"max_batch", m->pool->config().max_batch}}}});
  }

  // The request's tensors in the model's input order, checked against the declared dtypes and
  // shapes so that the error names the tensor.
  std::vector<inlay::Tensor> model_inputs(const LoadedModel& m, const json& request,
                                          BinaryData* binary) const {
    const auto inputs_it = request.find("inputs");
    if (inputs_it == request.end() || !inputs_it->is_array())
      throw RequestError(400, "the request has no \"inputs\" array");
    const std::vector<inlay::ValueDesc>& declared = m.model.inputs();
    std::vector<inlay::Tensor> ordered(declared.size());
    std::vector<bool> given(declared.size(), false);
    std::int64_t elements_left = options_.limits.max_elements;
    for (const json& in : *inputs_it) {
      inlay::Tensor t = tensor_from_json(in, elements_left, binary);
      const std::string name = in["name"].get<std::string>();
      std::size_t i = 0;
      while (i < declared.size() && declared[i].name != name) ++i;
      if (i == declared.size())
        throw RequestError(400, "model '" + m.name + "' has no input '" + name + "'");
      if (given[i]) throw RequestError(400, "input '" + name + "' is given twice");
      const inlay::ValueDesc& d = declared[i];
      if (t.dtype() != d.dtype) {
        throw RequestError(400, "input '" + name + "': datatype " + datatype_name(t.dtype()) +
                                    ", the model takes " + datatype_name(d.dtype));
      }
      if (d.has_shape) {
        bool fits = d.dims.size() == t.rank();
        for (std::size_t k = 0; fits && k < d.dims.size(); ++k)
          fits = d.dims[k] < 0 || d.dims[k] == t.shape()[k];
        if (!fits) {
          throw RequestError(400, "input '" + name + "': shape " + t.shape().to_string() +
                                      ", the model takes " + value_desc_json(d)["shape"].dump() +
                                      " (-1: any)");
        }
      }
      ordered[i] = std::move(t);
      given[i] = true;
    }
    for (std::size_t i = 0; i < declared.size(); ++i) {
      if (!given[i]) throw RequestError(400, "input '" + declared[i].name + "' is missing");
    }
    if (binary && binary->used != binary->size) {
      throw RequestError(400, std::to_string(binary->size - binary->used) +
                                  " bytes of binary data belong to no input");
    }
    return ordered;
  }

  struct WantedOutput {
    std::size_t index;
    bool binary;  // sent in the binary tensor data extension
  };

  static bool parameter_true(const json& object, const char* key) {
    const auto p = object.find("parameters");
    return p != object.end() && p->is_object() && p->contains(key) && (*p)[key].is_boolean() &&
           (*p)[key].get<bool>();
  }

  // The outputs to send: those named in "outputs", or all; binary where the request's
  // parameters say binary_data_output or the output's say binary_data.
  static std::vector<WantedOutput> requested_outputs(const LoadedModel& m, const json& request) {
    const std::vector<std::string>& names = m.model.output_names();
    const bool all_binary = parameter_true(request, "binary_data_output");
    std::vector<WantedOutput> out;
    const auto it = request.find("outputs");
    if (it == request.end()) {
      for (std::size_t i = 0; i < names.size(); ++i) out.push_back({i, all_binary});
      return out;
    }
    if (!it->is_array()) throw RequestError(400, "\"outputs\" must be an array");
    for (const json& o : *it) {
      if (!o.is_object() || !o.contains("name") || !o["name"].is_string())
        throw RequestError(400, "each entry of \"outputs\" needs a \"name\" string");
      const std::string name = o["name"].get<std::string>();
      std::size_t i = 0;
      while (i < names.size() && names[i] != name) ++i;
      if (i == names.size())
        throw RequestError(400, "model '" + m.name + "' has no output '" + name + "'");
      out.push_back({i, all_binary || parameter_true(o, "binary_data")});
    }
    return out;
  }

  // The whole body (httplib has checked its length against the server's limit).
  std::string read_body(const httplib::Request& req, const httplib::ContentReader& reader) const {
    const std::string length = req.get_header_value("Content-Length");
    if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > options_.max_body_bytes)
      throw RequestError(413, "request body larger than the server's limit");
    std::string body;
    const bool whole = reader([&](const char* data, std::size_t size) {
      if (body.size() + size > options_.max_body_bytes) return false;
      body.append(data, size);
      return true;
    });
    if (!whole) {
      throw RequestError(body.size() >= options_.max_body_bytes ? 413 : 400,
                         "cannot read the request body (larger than the server's limit, or "
                         "cut short)");
    }
    return body;
  }

  void infer(const httplib::Request& req, httplib::Response& res, const std::string& text) {
    const auto arrived = Clock::now();
    ++metrics_.in_flight;
    std::shared_ptr<const LoadedModel> m;
    JobResult result;
    const int status = answer(res, [&] {
      require(options_.infer_token, req);
      m = find(req);
      m->pool->arrive();
      bool arriving = true;  // until submit(), which ends the arrival whether it throws or not
      std::future<JobResult> pending;
      json request;
      std::vector<WantedOutput> wanted;
      BinaryData binary;
      const bool has_binary = req.has_header("Inference-Header-Content-Length");
      try {
        std::size_t header = text.size();
        if (has_binary) {
          const std::string h = req.get_header_value("Inference-Header-Content-Length");
          char* end = nullptr;
          const unsigned long long n = std::strtoull(h.c_str(), &end, 10);
          if (h.empty() || *end != '\0' || n > text.size()) {
            throw RequestError(400, "Inference-Header-Content-Length '" + h +
                                        "' is not a length within the body's " +
                                        std::to_string(text.size()) + " bytes");
          }
          header = static_cast<std::size_t>(n);
          binary.data = text.data() + header;
          binary.size = text.size() - header;
        }
        request = json::parse(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(header));
        if (!request.is_object()) throw RequestError(400, "the request body is not a JSON object");
        if (request.contains("id") && !request["id"].is_string())
          throw RequestError(400, "\"id\" must be a string");
        std::vector<inlay::Tensor> inputs =
            model_inputs(*m, request, has_binary ? &binary : nullptr);
        wanted = requested_outputs(*m, request);
        m->drift->observe(inputs);
        arriving = false;
        pending = m->pool->submit(std::move(inputs));
      } catch (...) {
        if (arriving) m->pool->left();
        throw;
      }
      result = pending.get();
      if (result.status != 200) throw RequestError(result.status, result.error);
      json outputs = json::array();
      std::string binary_out;
      for (const WantedOutput& w : wanted) {
        const std::string& name = m->model.output_names()[w.index];
        const inlay::Tensor& t = result.outputs[w.index];
        if (!w.binary) {
          outputs.push_back(tensor_to_json(name, t));
          continue;
        }
        const std::size_t before = binary_out.size();
        append_binary(t, binary_out);
        outputs.push_back(
            json{{"name", name},
                 {"datatype", datatype_name(t.dtype())},
                 {"shape", shape_to_json(t.shape())},
                 {"parameters", json{{"binary_data_size", binary_out.size() - before}}}});
      }
      json body{{"model_name", m->name}, {"model_version", m->version}, {"outputs", outputs}};
      if (request.contains("id")) {
        body["id"] = request["id"];
        if (!result.outputs.empty())
          m->feedback->predicted(request["id"].get<std::string>(), result.outputs[0]);
      }
      if (binary_out.empty()) {
        send_json(res, 200, body);
      } else {
        std::string header = body.dump(-1, ' ', false, json::error_handler_t::replace);
        res.set_header("Inference-Header-Content-Length", std::to_string(header.size()));
        res.status = 200;
        res.set_content(header + binary_out, "application/octet-stream");
      }
    });
    const double total = std::chrono::duration<double>(Clock::now() - arrived).count();
    metrics_.count_request(m ? m->name : "", m ? m->version : "", status);
    if (status == 200) {
      metrics_.observe_latency(m->name, m->version, result.queue_seconds, result.compute_seconds,
                               total);
      if (result.first_in_batch) metrics_.observe_batch(m->name, m->version, result.batch_rows);
    }
    --metrics_.in_flight;
  }

  Repository& repository_;
  Metrics& metrics_;
  ServerOptions options_;
};

}  // namespace inlay_serve
