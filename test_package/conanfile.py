"""Conan 2 test package: builds and runs the find_package consumer, which runs model.onnx and
checks its output (also built by inlay's test packaging.find_package against `cmake --install`
output)."""
import os

from conan import ConanFile
from conan.tools.build import can_run
from conan.tools.cmake import CMake, cmake_layout


class InlayTestConan(ConanFile):
    settings = "os", "arch", "compiler", "build_type"
    generators = "CMakeDeps", "CMakeToolchain"

    def requirements(self):
        self.requires(self.tested_reference_str)

    def layout(self):
        cmake_layout(self)

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def test(self):
        if can_run(self):
            program = os.path.join(self.cpp.build.bindir, "test_package")
            model = os.path.join(self.source_folder, "model.onnx")
            self.run(f'"{program}" "{model}"', env="conanrun")
