#!/usr/bin/env python3
"""Checks the vcpkg port and the Conan recipe as far as runs offline (neither tool can reach a
registry here): the port's vcpkg.json parses and names inlay, the project's version, its
dependencies and one feature, stb, which adds the stb port and turns on the CMake option
INLAY_WITH_STB (no cuda yet: the CUDA backend has not run on a GPU); portfile.cmake installs the CMake package;
conanfile.py and test_package/conanfile.py compile as Python, and the recipe reads the version
CMakeLists.txt declares, requires highway and eigen, and stb with its option with_stb;
test_package/ holds the model its consumer runs. Usage: check_recipes.py <inlay source dir> <version>"""
import json
import re
import pathlib
import sys
import types

root, version = pathlib.Path(sys.argv[1]), sys.argv[2]
errors = []


def check(ok, what):
    if not ok:
        errors.append(what)


port = json.loads((root / "ports/inlay/vcpkg.json").read_text(encoding="utf-8"))
check(port.get("name") == "inlay", "vcpkg.json: name is not inlay")
check(port.get("version") == version, f"vcpkg.json: version {port.get('version')} != {version}")
deps = {d if isinstance(d, str) else d["name"] for d in port.get("dependencies", [])}
for dep in ("highway", "eigen3", "vcpkg-cmake", "vcpkg-cmake-config"):
    check(dep in deps, f"vcpkg.json: no dependency on {dep}")
features = port.get("features", {})
check(sorted(features) == ["stb"], f"vcpkg.json: features {sorted(features)}, expected only stb")
check(features.get("stb", {}).get("dependencies") == ["stb"],
      "vcpkg.json: feature stb does not depend on the stb port")
portfile = (root / "ports/inlay/portfile.cmake").read_text(encoding="utf-8")
check(re.search(r"FEATURES\s+stb INLAY_WITH_STB\s*\)", portfile) is not None,
      "portfile.cmake: feature stb does not set INLAY_WITH_STB")
check("${feature_options}" in portfile, "portfile.cmake: the feature options are not passed on")
cmakelists = (root / "CMakeLists.txt").read_text(encoding="utf-8")
check("option(INLAY_WITH_STB" in cmakelists, "CMakeLists.txt: no option INLAY_WITH_STB")
for call in ("vcpkg_cmake_configure", "vcpkg_cmake_install",
             "vcpkg_cmake_config_fixup(CONFIG_PATH share/cmake/inlay)", "vcpkg_install_copyright"):
    check(call in portfile, f"portfile.cmake: no {call}")
check((root / "ports/inlay/usage").is_file(), "ports/inlay/usage is missing")

# test_package/ is copied on its own by `conan create`: the model it runs must be in it.
for name in ("test_package.cpp", "model.onnx", "model_reference.hpp"):
    check((root / "test_package" / name).is_file(), f"test_package/{name} is missing")

for recipe in ("conanfile.py", "test_package/conanfile.py"):
    try:  # what `python3 -m py_compile` checks, without writing __pycache__ into the source tree
        compile((root / recipe).read_text(encoding="utf-8"), str(root / recipe), "exec")
    except SyntaxError as e:
        errors.append(f"{recipe} does not compile: {e}")

# Import the recipe with stand-ins for the conan modules (Conan is not installed here) and check
# that it reads the version of CMakeLists.txt and is a header library requiring highway and eigen.
for name in ("conan", "conan.tools", "conan.tools.cmake", "conan.tools.files", "conan.tools.build"):
    module = types.ModuleType(name)
    module.__getattr__ = lambda attr: type(attr, (), {})
    sys.modules[name] = module
sys.modules["conan"].ConanFile = object
sys.dont_write_bytecode = True
sys.path.insert(0, str(root))
import conanfile  # noqa: E402

recipe = conanfile.InlayConan.__new__(conanfile.InlayConan)
recipe.recipe_folder = str(root)
recipe.set_version()
check(recipe.version == version, f"conanfile.py: version {recipe.version} != {version}")
check(conanfile.InlayConan.package_type == "header-library", "conanfile.py: not a header-library")
check(conanfile.InlayConan.default_options == {"with_stb": False},
      f"conanfile.py: default options {conanfile.InlayConan.default_options}")
for with_stb, expected in ((False, ["eigen", "highway"]), (True, ["eigen", "highway", "stb"])):
    required = []
    recipe.requires = lambda ref, **kw: required.append(ref.split("/")[0])
    recipe.options = types.SimpleNamespace(with_stb=with_stb)
    recipe.requirements()
    check(sorted(required) == expected, f"conanfile.py requires {required} with with_stb={with_stb}")

for e in errors:
    print("FAIL:", e)
print(f"recipes: {len(errors)} problems (vcpkg port and Conan recipe, version {version})")
sys.exit(1 if errors else 0)
