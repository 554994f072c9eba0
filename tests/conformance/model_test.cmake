# conformance.model_<name>: `INLAY check DIR` on one bench model folder (tolerance from its
# meta.json). Prints "SKIPPED: ..." (which the test's SKIP_REGULAR_EXPRESSION turns into a skip)
# when the folder is missing, e.g. outside the machine that holds ../shared/models.
if(NOT IS_DIRECTORY "${DIR}")
  message("SKIPPED: model folder ${DIR} is missing")
  return()
endif()
execute_process(COMMAND "${INLAY}" check "${DIR}" RESULT_VARIABLE rc OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "inlay check ${DIR}: exit code ${rc}")
endif()
