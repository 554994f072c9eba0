// inlay-serve: serves the models of a repository over HTTP with the KServe / Open Inference
// Protocol v2 (REST), Prometheus metrics and dynamic batching. Also run as `inlay serve ARGS`.
//   inlay-serve --model-repository DIR [--http-port N] [options]   (inlay-serve --help)
// Stops cleanly on SIGINT / SIGTERM: the requests already accepted are answered first.
#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <inlay/inlay.hpp>

#include "metrics.hpp"
#include "repository.hpp"
#include "routes.hpp"

namespace {

const char* const usage =
    "usage: inlay-serve --model-repository DIR [options]\n"
    "  --http-port N          port to listen on (default 8000; 0: any free port)\n"
    "  --host ADDR            address to bind (default 127.0.0.1; 0.0.0.0 for all)\n"
    "  --port-file FILE       write the port listened on to FILE once ready\n"
    "  --http-threads N       connections served at once (default 64)\n"
    "  --instances N          sessions per model version, each on its own thread (default 1)\n"
    "  --threads N            threads of each session (default 1)\n"
    "  --max-batch N          rows of a dynamic batch, for models with a batch dimension\n"
    "                         (default 0: batching off)\n"
    "  --batch-delay-us N     how long a request may wait for others to batch with (default 500)\n"
    "  --batch-wait eager|full  eager (default): wait only while other requests are being\n"
    "                         read; full: always wait out the delay\n"
    "  --max-queue N          queued requests per model before 429 (default 256)\n"
    "  --poll-seconds N       rescan the repository every N seconds: load new and changed\n"
    "                         models, unload removed ones (default 0: only on request)\n"
    "  --timeout-ms N         queue wait before a request is answered 503 (default 10000)\n"
    "  --max-body-bytes N     larger request bodies are answered 413 (default 64 MiB)\n"
    "  --max-elements N       tensor elements per request before 413 (default 16M)\n"
    "  --infer-token-file F   bearer token required on /v2/models/... (first line of F)\n"
    "  --repository-token-file F  bearer token required on /v2/repository/...\n"
    "  --tls-cert F --tls-key F   serve HTTPS\n"
    "A model's NAME/config.json may set instances, threads, max_batch, max_delay_us,\n"
    "eager_batching (0/1), max_queue and timeout_ms for that model.\n";

[[noreturn]] void usage_error(const std::string& message) {
  throw std::runtime_error(message + " (inlay-serve --help lists the options)");
}

std::int64_t whole_number(const std::string& option, const std::string& text, std::int64_t min,
                          std::int64_t max) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) { used = 0; }
  if (used == 0 || used != text.size() || v < min || v > max) {
    usage_error(option + " needs a whole number from " + std::to_string(min) + " to " +
                std::to_string(max));
  }
  return v;
}

std::string first_line_of(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) usage_error("cannot read a token from " + path);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (line.empty()) usage_error(path + ": the token is empty");
  return line;
}

int serve(const std::vector<std::string>& args) {
  std::string repository_dir, host = "127.0.0.1", port_file, tls_cert, tls_key;
  int port = 8000;
  std::size_t http_threads = 64;
  std::int64_t poll_seconds = 0;
  inlay_serve::PoolConfig pool;
  inlay_serve::ServerOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::printf("%s", usage);
      return 0;
    }
    if (a.rfind("--", 0) != 0) usage_error("unexpected argument '" + a + "'");
    if (i + 1 >= args.size()) usage_error(a + " needs a value");
    const std::string& v = args[++i];
    if (a == "--model-repository") {
      repository_dir = v;
    } else if (a == "--http-port") {
      port = static_cast<int>(whole_number(a, v, 0, 65535));
    } else if (a == "--host") {
      host = v;
    } else if (a == "--port-file") {
      port_file = v;
    } else if (a == "--http-threads") {
      http_threads = static_cast<std::size_t>(whole_number(a, v, 1, 4096));
    } else if (a == "--instances") {
      pool.instances = static_cast<std::size_t>(whole_number(a, v, 1, 256));
    } else if (a == "--threads") {
      pool.threads = static_cast<std::size_t>(whole_number(a, v, 1, 1024));
    } else if (a == "--max-batch") {
      pool.max_batch = whole_number(a, v, 0, 1 << 20);
    } else if (a == "--batch-delay-us") {
      pool.max_delay_us = whole_number(a, v, 0, 10000000);
    } else if (a == "--batch-wait") {
      if (v != "eager" && v != "full") usage_error("--batch-wait takes eager or full");
      pool.eager = v == "eager";
    } else if (a == "--poll-seconds") {
      poll_seconds = whole_number(a, v, 0, 86400);
    } else if (a == "--max-queue") {
      pool.max_queue = static_cast<std::size_t>(whole_number(a, v, 1, 1 << 20));
    } else if (a == "--timeout-ms") {
      pool.timeout_ms = whole_number(a, v, 1, 3600000);
    } else if (a == "--max-body-bytes") {
      options.max_body_bytes =
          static_cast<std::size_t>(whole_number(a, v, 1, std::int64_t{1} << 40));
    } else if (a == "--max-elements") {
      options.limits.max_elements = whole_number(a, v, 1, std::int64_t{1} << 40);
    } else if (a == "--infer-token-file") {
      options.infer_token = first_line_of(v);
    } else if (a == "--repository-token-file") {
      options.repository_token = first_line_of(v);
    } else if (a == "--tls-cert") {
      tls_cert = v;
    } else if (a == "--tls-key") {
      tls_key = v;
    } else {
      usage_error("unknown option " + a);
    }
  }
  if (repository_dir.empty()) usage_error("--model-repository DIR is required");
  if (tls_cert.empty() != tls_key.empty()) usage_error("--tls-cert and --tls-key go together");

  // SIGINT and SIGTERM are taken by one thread below; block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  inlay_serve::Metrics metrics;
  inlay_serve::Repository repository(repository_dir, pool, metrics);
  std::unique_ptr<httplib::Server> server;
  if (tls_cert.empty()) {
    server = std::make_unique<httplib::Server>();
  } else {
    auto tls = std::make_unique<httplib::SSLServer>(tls_cert.c_str(), tls_key.c_str());
    if (!tls->is_valid()) usage_error("cannot use " + tls_cert + " / " + tls_key + " for TLS");
    server = std::move(tls);
  }
  server->new_task_queue = [http_threads] { return new httplib::ThreadPool(http_threads); };
  server->set_payload_max_length(options.max_body_bytes);
  server->set_keep_alive_max_count(1000000);
  // Answers go out at once: with Nagle's algorithm a small response waits for the client's
  // delayed ACK (40 ms on Linux).
  server->set_tcp_nodelay(true);
  inlay_serve::Routes routes(repository, metrics, options);
  routes.install(*server);
  // Debian's cpp-httplib is a compiled library that listens with a backlog of 5, whatever
  // CPPHTTPLIB_LISTEN_BACKLOG says here: a burst of new connections (24 clients at once on a busy
  // machine) overflowed it and clients saw "connection reset". Listening again on the bound
  // socket raises the backlog (Linux and the BSDs allow it; the kernel caps it at somaxconn).
  int listening_socket = -1;
  server->set_socket_options([&listening_socket](socket_t sock) {
    httplib::default_socket_options(sock);
    listening_socket = sock;  // the last socket made is the one that bound
  });

  const int bound =
      port == 0 ? server->bind_to_any_port(host) : (server->bind_to_port(host, port) ? port : -1);
  if (bound < 0) usage_error("cannot listen on " + host + ":" + std::to_string(port));
  constexpr int kListenBacklog = 1024;
  if (listening_socket < 0 || ::listen(listening_socket, kListenBacklog) != 0)
    std::fprintf(stderr, "inlay-serve: warning: cannot raise the listen backlog to %d\n",
                 kListenBacklog);

  for (const std::string& e : repository.load_all())
    std::fprintf(stderr, "inlay-serve: not loaded: %s\n", e.c_str());
  routes.ready = true;
  std::fprintf(stderr, "inlay-serve: %zu models loaded; listening on %s:%d\n",
               repository.loaded_names().size(), host.c_str(), bound);
  if (!port_file.empty()) {
    // Written under another name and renamed, so a reader never sees half a number.
    const std::string partial = port_file + ".partial";
    std::ofstream(partial) << bound << "\n";
    std::rename(partial.c_str(), port_file.c_str());
  }

  std::thread stopper([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    server->stop();
  });
  std::mutex poll_mutex;
  std::condition_variable poll_wake;
  bool stopped = false;
  std::thread poller;
  if (poll_seconds > 0) {
    poller = std::thread([&] {
      std::unique_lock<std::mutex> lock(poll_mutex);
      while (
          !poll_wake.wait_for(lock, std::chrono::seconds(poll_seconds), [&] { return stopped; })) {
        lock.unlock();
        for (const std::string& e : repository.poll())
          std::fprintf(stderr, "inlay-serve: not loaded: %s\n", e.c_str());
        lock.lock();
      }
    });
  }
  server->listen_after_bind();
  {
    std::lock_guard<std::mutex> lock(poll_mutex);
    stopped = true;
  }
  poll_wake.notify_all();
  if (poller.joinable()) poller.join();
  // listen_after_bind also returns when the socket fails; wake the stopper then.
  kill(getpid(), SIGTERM);
  stopper.join();
  std::fprintf(stderr, "inlay-serve: stopped\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return serve(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) { std::fprintf(stderr, "inlay-serve: %s\n", e.what()); }
  return 1;
}
