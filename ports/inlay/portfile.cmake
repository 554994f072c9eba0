# Overlay port that builds the inlay checkout it lives in (ports/inlay/ of the source tree), so it
# needs no download: vcpkg install inlay --overlay-ports=<inlay>/ports
# A registry port would fetch a release instead (vcpkg_from_github with REF v${VERSION}).
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

set(VCPKG_BUILD_TYPE release)  # header-only: one configuration is enough
# Feature stb: inlay::load_image with stb_image. No `cuda` feature yet: the CUDA backend
# (docs/cuda.md) has not run on a GPU, and the port gets the feature once it has.
vcpkg_check_features(OUT_FEATURE_OPTIONS feature_options
  FEATURES
    stb INLAY_WITH_STB
)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    -DINLAY_BUILD_TESTS=OFF
    -DINLAY_BUILD_EXAMPLES=OFF
    -DINLAY_BUILD_BENCH=OFF
    -DINLAY_INSTALL=ON
    ${feature_options}
)
vcpkg_cmake_install()
# inlay installs its package to share/cmake/inlay; vcpkg wants it in share/inlay.
vcpkg_cmake_config_fixup(CONFIG_PATH share/cmake/inlay)
vcpkg_fixup_pkgconfig()

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
