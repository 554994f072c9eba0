// `inlay check DIR` and `inlay check --suite ROOT`: models in the ONNX backend-test layout run and
// compared with their stored outputs (check_case.hpp). The suite form runs every case below ROOT
// (each in a child process on POSIX, so that a crash or a hang fails that case alone), prints the
// `N passed, N failed, N skipped` line, and with --expect-passed FILE fails only when a case that
// FILE lists no longer passes (the conformance ratchet).
#pragma once

#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>
#define INLAY_CLI_FORK 1
#endif

#include "args.hpp"
#include "check_case.hpp"
#include "text.hpp"

namespace inlay_cli {

struct SuiteCase {
  std::string name;  // relative to the suite root
  CaseResult result;
  std::vector<std::string> ops;  // op types of the model's main graph
};

inline SuiteCase run_case_here(const fs::path& dir, const std::string& name, const Tolerance& tol) {
  SuiteCase c;
  c.name = name;
  c.result = check_folder(dir, tol);
  c.ops = model_op_types(dir / "model.onnx");
  return c;
}

#ifdef INLAY_CLI_FORK
// Runs one case in a child process that reports through a pipe: "<verdict>\n<op,op>\n<detail>".
// A child that dies by a signal, exits without a report, or runs past `timeout_s` fails the case.
inline SuiteCase run_case_isolated(const fs::path& dir, const std::string& name,
                                   const Tolerance& tol, unsigned timeout_s) {
  SuiteCase c;
  c.name = name;
  int fds[2];
  if (pipe(fds) != 0) return run_case_here(dir, name, tol);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return run_case_here(dir, name, tol);
  }
  if (pid == 0) {
    close(fds[0]);
    if (timeout_s) alarm(timeout_s);
    const SuiteCase r = run_case_here(dir, name, tol);
    std::string report =
        std::string(1, static_cast<char>('0' + static_cast<int>(r.result.verdict))) + "\n";
    for (std::size_t i = 0; i < r.ops.size(); ++i) report += (i ? "," : "") + r.ops[i];
    report += "\n" + r.result.detail;
    for (std::size_t off = 0; off < report.size();) {
      const ssize_t n = write(fds[1], report.data() + off, report.size() - off);
      if (n <= 0) _exit(2);
      off += static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string report;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n > 0) report.append(buf, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR) break;
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  const std::size_t nl1 = report.find('\n');
  const std::size_t nl2 = nl1 == std::string::npos ? nl1 : report.find('\n', nl1 + 1);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && nl2 != std::string::npos) {
    c.result.verdict = static_cast<Verdict>(report[0] - '0');
    for (std::size_t p = nl1 + 1; p < nl2;) {
      const std::size_t comma = std::min(report.find(',', p), nl2);
      c.ops.push_back(report.substr(p, comma - p));
      p = comma + 1;
    }
    c.result.detail = report.substr(nl2 + 1);
    return c;
  }
  c.result.verdict = Verdict::failed;
  c.ops = model_op_types(dir / "model.onnx");
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
    c.result.detail = "timed out after " + std::to_string(timeout_s) + " s";
  } else if (WIFSIGNALED(status)) {
    c.result.detail = "crashed: signal " + std::to_string(WTERMSIG(status)) + " (" +
                      strsignal(WTERMSIG(status)) + ")";
  } else {
    c.result.detail = "crashed: the case's process exited with code " +
                      std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                      " without a result (see its messages above)";
  }
  return c;
}
#endif

inline std::set<std::string> read_case_list(const std::string& path) {
  std::ifstream in(path);
  if (!in) usage_error("cannot read " + path);
  std::set<std::string> names;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty() && line[0] != '#') names.insert(line);
  }
  return names;
}

inline std::string suite_json(const std::string& root, const std::vector<SuiteCase>& cases,
                              const std::vector<std::string>& regressions, std::size_t passed,
                              std::size_t failed, std::size_t skipped) {
  std::string j = "{\"root\": " + json_string(root) + ", \"passed\": " + std::to_string(passed) +
                  ", \"failed\": " + std::to_string(failed) +
                  ", \"skipped\": " + std::to_string(skipped) + ",\n \"regressions\": [";
  for (std::size_t i = 0; i < regressions.size(); ++i) {
    j += (i ? ", " : "") + json_string(regressions[i]);
  }
  j += "],\n \"cases\": [";
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const SuiteCase& c = cases[i];
    j += std::string(i ? ",\n  " : "\n  ") + "{\"name\": " + json_string(c.name) +
         ", \"verdict\": \"" + verdict_name(c.result.verdict) + "\", \"ops\": [";
    for (std::size_t k = 0; k < c.ops.size(); ++k) j += (k ? ", " : "") + json_string(c.ops[k]);
    j += "], \"detail\": " + json_string(c.result.detail) + "}";
  }
  return j + "]}\n";
}

inline int check_command(const std::vector<std::string>& argv) {
  ArgReader args(argv);
  Tolerance tol;
  std::string suite, dir, passed_list, expect_passed;
  bool verbose = false, json = false, isolate = true;
  unsigned timeout_s = 300;
  while (!args.done()) {
    const std::string& a = args.next();
    if (a == "--suite") suite = args.value(a);
    else if (a == "--rtol") {
      tol.rtol = parse_number(a, args.value(a));
      tol.rtol_given = true;
    } else if (a == "--atol") {
      tol.atol = parse_number(a, args.value(a));
      tol.atol_given = true;
    } else if (a == "--passed-list") passed_list = args.value(a);
    else if (a == "--expect-passed") expect_passed = args.value(a);
    else if (a == "--timeout")
      timeout_s = static_cast<unsigned>(parse_count(a, args.value(a), 0, 86400));
    else if (a == "--no-fork") isolate = false;
    else if (a == "--json") json = true;
    else if (a == "-v" || a == "--verbose") verbose = true;
    else if (is_option(a)) usage_error("check: unknown option " + a);
    else if (dir.empty()) dir = a;
    else usage_error("check: more than one folder given ('" + dir + "' and '" + a + "')");
  }
  if (suite.empty()) {
    if (dir.empty()) usage_error("check needs a folder (or --suite ROOT)");
    if (json || !passed_list.empty() || !expect_passed.empty()) {
      usage_error("--json, --passed-list and --expect-passed go with --suite");
    }
    if (!fs::is_directory(dir)) usage_error("check " + dir + ": not a folder");
    const CaseResult r = check_folder(dir, tol);
    for (const std::string& line : r.outputs) std::printf("%s\n", line.c_str());
    if (r.verdict == Verdict::passed) {
      std::printf("%s: passed (rtol %s, atol %s)\n", dir.c_str(), number(r.tolerance.rtol).c_str(),
                  number(r.tolerance.atol).c_str());
      return 0;
    }
    std::printf("%s: %s: %s\n", dir.c_str(), verdict_name(r.verdict), r.detail.c_str());
    return 1;
  }
  if (!dir.empty()) usage_error("check: a folder and --suite given; use one");
  if (!fs::is_directory(suite)) usage_error("--suite " + suite + ": not a folder");
  const std::set<std::string> expected =
      expect_passed.empty() ? std::set<std::string>{} : read_case_list(expect_passed);
  const bool ratchet = !expect_passed.empty();

  std::size_t passed = 0, failed = 0, skipped = 0;
  std::vector<SuiteCase> cases;
  std::set<std::string> seen;
  std::vector<std::string> regressions, newly_passing;
  std::FILE* human = json ? stderr : stdout;
  for (const fs::path& c : find_cases(suite)) {
    const std::string name = fs::relative(c, suite).generic_string();
#ifdef INLAY_CLI_FORK
    SuiteCase sc =
        isolate ? run_case_isolated(c, name, tol, timeout_s) : run_case_here(c, name, tol);
#else
    (void)isolate;
    SuiteCase sc = run_case_here(c, name, tol);
#endif
    const Verdict v = sc.result.verdict;
    passed += v == Verdict::passed;
    failed += v == Verdict::failed;
    skipped += v == Verdict::skipped;
    seen.insert(name);
    if (v != Verdict::passed && expected.count(name)) {
      regressions.push_back(name + ": " + verdict_name(v) + ": " + sc.result.detail);
    }
    if (v == Verdict::passed && ratchet && !expected.count(name)) newly_passing.push_back(name);
    if (verbose || v == Verdict::failed) {
      std::fprintf(human, "%-60s %-7s  %s\n", name.c_str(), verdict_name(v),
                   sc.result.detail.c_str());
    }
    cases.push_back(std::move(sc));
  }
  for (const std::string& name : expected) {
    if (!seen.count(name)) regressions.push_back(name + ": missing from " + suite);
  }
  if (!passed_list.empty()) {
    std::ofstream out(passed_list);
    for (const SuiteCase& c : cases) {
      if (c.result.verdict == Verdict::passed) out << c.name << "\n";
    }
    if (!out) usage_error("cannot write " + passed_list);
  }
  if (json)
    std::printf("%s", suite_json(suite, cases, regressions, passed, failed, skipped).c_str());
  for (const std::string& r : regressions)
    std::fprintf(human, "REGRESSION (passed before): %s\n", r.c_str());
  if (!newly_passing.empty()) {
    std::fprintf(human,
                 "%zu cases pass that %s does not list yet (tools/update-conformance adds them)\n",
                 newly_passing.size(), expect_passed.c_str());
  }
  std::fprintf(human, "%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
  if (ratchet) return regressions.empty() ? 0 : 1;
  return failed == 0 ? 0 : 1;
}

}  // namespace inlay_cli
