# Checks that a program without the inlay implementation, or with two, fails to link with the
# guard symbol named in the error, and that one implementation links and runs.
# Arguments: CXX, INCLUDE_DIR, SOURCE_DIR, WORK_DIR.
file(MAKE_DIRECTORY "${WORK_DIR}")
# One CPU target keeps these compiles short.
set(flags -std=c++17 -O0 -DHWY_COMPILE_ONLY_STATIC -I${INCLUDE_DIR})
set(guard "inlay_v0_1_0_define_INLAY_IMPLEMENTATION_in_exactly_one_cpp_file")

foreach(part main impl)
  execute_process(
    COMMAND ${CXX} ${flags} -c ${SOURCE_DIR}/link_guard_${part}.cpp -o ${WORK_DIR}/${part}.o
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "compiling link_guard_${part}.cpp failed:\n${err}")
  endif()
endforeach()
# Two implementation units: the same object twice gives the linker the same definitions as a
# second compile of link_guard_impl.cpp would, without the minute that compile takes.
configure_file(${WORK_DIR}/impl.o ${WORK_DIR}/impl2.o COPYONLY)

function(expect_link objects expect_success expect_text)
  execute_process(COMMAND ${CXX} ${objects} -o ${WORK_DIR}/program -lhwy -pthread
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(expect_success AND NOT rc EQUAL 0)
    message(FATAL_ERROR "linking ${objects} failed:\n${err}")
  endif()
  if(NOT expect_success)
    if(rc EQUAL 0)
      message(FATAL_ERROR "linking ${objects} succeeded; expected an error naming ${guard}")
    endif()
    string(FIND "${err}" "${expect_text}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "the link error does not say '${expect_text}':\n${err}")
    endif()
    message(STATUS "link error as expected: ...${expect_text}...")
  endif()
endfunction()

expect_link("${WORK_DIR}/main.o" FALSE "undefined reference to `${guard}'")
expect_link("${WORK_DIR}/main.o;${WORK_DIR}/impl.o;${WORK_DIR}/impl2.o" FALSE
  "multiple definition of `${guard}'")
expect_link("${WORK_DIR}/main.o;${WORK_DIR}/impl.o" TRUE "")
execute_process(COMMAND ${WORK_DIR}/program RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the correctly linked program exited with ${rc}")
endif()
message(STATUS "one implementation links and runs")
