// Test runner: lists the CPU targets compiled in and, at the end, the ones the kernel tests ran on.
#define CATCH_CONFIG_RUNNER
#include "catch.hpp"

#include <cstdio>
#include <string>

#include "test_util.hpp"

int main(int argc, char** argv) {
  std::string available;
  for (const std::string& t : inlay::available_cpu_targets()) available += " " + t;
  std::printf("inlay %s; CPU targets compiled in and supported here:%s\n", INLAY_VERSION_STRING,
              available.c_str());
  const int result = Catch::Session().run(argc, argv);
  std::printf("kernel tests ran on CPU targets:%s\n", inlay_test::targets_run().c_str());
  return result;
}
