# Runs inlay_custom_op on a file that is not its model: it must exit with 1 (not abort, which
# gives another code) and say on stderr that it cannot serve the file and why.
execute_process(COMMAND "${PROGRAM}" "${ARG}" RESULT_VARIABLE rc OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "inlay_custom_op exited with ${rc}, expected 1")
endif()
if(NOT err MATCHES "^inlay_custom_op: cannot serve .*README.md: .*is not an ONNX model")
  message(FATAL_ERROR "stderr does not say why the model cannot be served")
endif()
