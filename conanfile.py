"""Conan 2 recipe for inlay (header-only). From the source tree:

    conan create . --build=missing

builds test_package/ against the package. The version is the one CMakeLists.txt declares.
"""
import os
import re

from conan import ConanFile
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, rmdir


def version_from_cmake(cmakelists_text):
    """The VERSION of project(inlay ...) in the root CMakeLists.txt."""
    match = re.search(r"project\(\s*inlay\s+VERSION\s+([0-9]+\.[0-9]+\.[0-9]+)", cmakelists_text)
    if not match:
        raise ValueError("CMakeLists.txt declares no project(inlay VERSION x.y.z)")
    return match.group(1)


class InlayConan(ConanFile):
    name = "inlay"
    description = "Embeddable neural networks for C++17 (header-only, kernels in Google Highway)"
    license = "MIT"
    topics = ("neural-network", "onnx", "simd", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    # with_stb: inlay::load_image reads image files with stb_image (CMake's INLAY_WITH_STB). No
    # CUDA option: 0.1.0 has no CUDA backend.
    options = {"with_stb": [True, False]}
    default_options = {"with_stb": False}
    exports_sources = ("CMakeLists.txt", "cmake/*", "include/*", "single_include/*", "LICENSE")
    no_copy_source = True

    def set_version(self):
        with open(os.path.join(self.recipe_folder, "CMakeLists.txt"), encoding="utf-8") as f:
            self.version = version_from_cmake(f.read())

    def requirements(self):
        # Headers and libraries of both reach the consumer: the implementation unit it compiles
        # includes Highway (and links it).
        self.requires("highway/[>=1.0.3 <2]", transitive_headers=True, transitive_libs=True)
        self.requires("eigen/[>=3.4.0 <6]", transitive_headers=True)
        if self.options.with_stb:
            # The implementation unit, compiled by the consumer, includes stb_image.h.
            self.requires("stb/cci.20230920", transitive_headers=True)

    def layout(self):
        cmake_layout(self)

    def package_id(self):
        self.info.clear()  # header-only: one package for every configuration

    def generate(self):
        tc = CMakeToolchain(self)
        tc.cache_variables["INLAY_BUILD_TESTS"] = False
        tc.cache_variables["INLAY_BUILD_EXAMPLES"] = False
        tc.cache_variables["INLAY_INSTALL"] = True
        tc.generate()
        # inlay's CMakeLists finds hwy and Eigen3 with find_package; CMakeDeps provides them.
        CMakeDeps(self).generate()

    def build(self):
        CMake(self).configure()  # nothing to compile: configuring writes the package files

    def package(self):
        CMake(self).install()
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        # Conan's CMakeDeps writes the consumers' config files; keep only inlay_add_implementation.
        cmake_dir = os.path.join(self.package_folder, "share", "cmake", "inlay")
        for name in os.listdir(cmake_dir):
            if name != "InlayHelpers.cmake":
                os.remove(os.path.join(cmake_dir, name))
        rmdir(self, os.path.join(self.package_folder, "share", "pkgconfig"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "inlay")
        self.cpp_info.set_property("cmake_target_name", "inlay::inlay")
        self.cpp_info.set_property("pkg_config_name", "inlay")
        # find_package(inlay) also defines inlay_add_implementation().
        self.cpp_info.set_property("cmake_build_modules", ["share/cmake/inlay/InlayHelpers.cmake"])
        self.cpp_info.builddirs = ["share/cmake/inlay"]
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        self.cpp_info.requires = ["highway::highway", "eigen::eigen"]
        if self.options.with_stb:
            self.cpp_info.requires.append("stb::stb")
            self.cpp_info.defines = ["INLAY_WITH_STB"]
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread"]
