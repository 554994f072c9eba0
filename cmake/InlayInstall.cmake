# Install rules: the headers, the single header, the CMake package (inlay::inlay,
# inlay_add_implementation) and a pkg-config file. inlay is header-only, so everything goes under
# the architecture-independent data dir (share/), which vcpkg and Conan relocate as they like.
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

set(INLAY_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/cmake/inlay"
  CACHE STRING "Where inlay's CMake package files go, relative to the install prefix")
set(INLAY_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_DATADIR}/pkgconfig"
  CACHE STRING "Where inlay.pc goes, relative to the install prefix")
# The single header gets a folder of its own: <prefix>/include holds the modular inlay/inlay.hpp,
# so the single one can only be <inlay/inlay.hpp> (the name the implementation re-includes itself
# by) from another folder. Neither folder contains the other, so one never shadows the other.
set(INLAY_INSTALL_SINGLE_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}/inlay-single"
  CACHE STRING "Folder that holds inlay/inlay.hpp, the single header, relative to the prefix")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/inlay" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(FILES "${PROJECT_SOURCE_DIR}/single_include/inlay/inlay.hpp"
  DESTINATION "${INLAY_INSTALL_SINGLE_INCLUDEDIR}/inlay")

install(TARGETS inlay EXPORT inlay-targets)
install(EXPORT inlay-targets NAMESPACE inlay:: FILE inlay-targets.cmake
  DESTINATION "${INLAY_INSTALL_CMAKEDIR}")

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/inlay-config.cmake.in"
  "${PROJECT_BINARY_DIR}/inlay-config.cmake"
  INSTALL_DESTINATION "${INLAY_INSTALL_CMAKEDIR}")
# SameMajorVersion: a request for 0.1 accepts 0.x (x >= 1) but never 1.x, where the API may break
# (AnyNewerVersion would hand 2.0 to a program written for 0.1). ARCH_INDEPENDENT: header-only, so
# a 32-bit consumer may use a package installed by a 64-bit build.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/inlay-config-version.cmake"
  COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES
  "${PROJECT_BINARY_DIR}/inlay-config.cmake"
  "${PROJECT_BINARY_DIR}/inlay-config-version.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/InlayHelpers.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/InlayEmbed.cmake"
  DESTINATION "${INLAY_INSTALL_CMAKEDIR}")

# inlay.pc finds its prefix from its own location (${pcfiledir}), so the file stays right after
# `cmake --install --prefix`, DESTDIR staging, or relocation by a package manager.
if(IS_ABSOLUTE "${INLAY_INSTALL_PKGCONFIGDIR}")
  set(INLAY_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _inlay_pc_to_prefix "/prefix/${INLAY_INSTALL_PKGCONFIGDIR}" "/prefix")
  string(REGEX REPLACE "/$" "" _inlay_pc_to_prefix "${_inlay_pc_to_prefix}")
  set(INLAY_PC_PREFIX "\${pcfiledir}/${_inlay_pc_to_prefix}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(INLAY_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(INLAY_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/inlay.pc.in" "${PROJECT_BINARY_DIR}/inlay.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/inlay.pc" DESTINATION "${INLAY_INSTALL_PKGCONFIGDIR}")
