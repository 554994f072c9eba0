# conformance.onnx_node: generates the official ONNX node tests into SUITE with GENERATOR
# (tools/onnx-node-tests), then runs `INLAY check --suite SUITE/node --expect-passed PASSED`.
# Fails when the generator fails (no python3-onnx: CI must install it, so this is an error, not a
# skip) or when a case that PASSED lists no longer passes.
execute_process(COMMAND "${GENERATOR}" "${SUITE}" RESULT_VARIABLE rc OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "generating the ONNX node tests failed (exit code ${rc}); "
    "tools/install-deps installs python3-onnx:\n${out}${err}")
endif()
message("${out}")
execute_process(COMMAND "${INLAY}" check --suite "${SUITE}/node" --expect-passed "${PASSED}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "inlay check --suite: exit code ${rc} (a REGRESSION line above names each "
    "case of ${PASSED} that no longer passes)")
endif()
