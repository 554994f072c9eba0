# inlay's dependencies, found on the system (nothing is downloaded at build time).
include_guard(GLOBAL)

find_package(Threads REQUIRED)

# Highway >= 1.0.3 (Debian 12 ships 1.0.3; vcpkg and Conan ship newer). Its config file may not
# accept a version range, so the version is checked here.
find_package(hwy CONFIG REQUIRED)
if(DEFINED hwy_VERSION AND hwy_VERSION VERSION_LESS 1.0.3)
  message(FATAL_ERROR "inlay needs Highway >= 1.0.3, found ${hwy_VERSION}")
endif()

# Eigen 3.4 or 5.x: Eigen 5's version file rejects a request for 3.x, so ask for none and check.
find_package(Eigen3 CONFIG REQUIRED)
if(DEFINED Eigen3_VERSION AND Eigen3_VERSION VERSION_LESS 3.4)
  message(FATAL_ERROR "inlay needs Eigen >= 3.4, found ${Eigen3_VERSION}")
endif()

# stb_image (optional): inlay::load_image reads image files with it. Debian's libstb-dev puts it
# in include/stb/, vcpkg's stb in include/.
find_path(INLAY_STB_INCLUDE_DIR stb_image.h PATH_SUFFIXES stb
  DOC "Folder that holds stb_image.h (for INLAY_WITH_STB)")
