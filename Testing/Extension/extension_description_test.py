#!/usr/bin/env python3
"""Extension.s4ext and SlicerMotionCorrection.json must say what CMakeLists.txt says.

A Slicer build writes the extension's description from the EXTENSION_* variables; the index reads
the JSON catalog entry. Regenerates the .s4ext from CMakeLists.txt and compares it byte for byte
with the committed one, then checks the JSON's shared fields.
usage: extension_description_test.py CMAKE SOURCE_DIR WORK_DIR
"""
import json, os, subprocess, sys

cmake, source, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
generated = os.path.join(work, "Extension.s4ext")
subprocess.run([cmake, f"-DSOURCE_DIR={source}", f"-DOUTPUT={generated}", "-P",
                os.path.join(source, "CMake", "GenerateExtensionDescription.cmake")], check=True)
committed_path = os.path.join(source, "Extension.s4ext")
committed = open(committed_path, encoding="utf-8").read()
expected = open(generated, encoding="utf-8").read()
failures = []
if committed != expected:
    failures.append(f"{committed_path} differs from CMakeLists.txt's EXTENSION_* variables; regenerate it with: "
                    f"cmake -DSOURCE_DIR=. -DOUTPUT=Extension.s4ext -P CMake/GenerateExtensionDescription.cmake")

fields = {}
for line in expected.splitlines():
    if line and not line.startswith("#"):
        key, _, value = line.partition(" ")
        fields[key] = value
for key in ("scmurl", "category", "iconurl", "screenshoturls", "status", "description", "homepage"):
    if not fields.get(key):
        failures.append(f"Extension.s4ext: '{key}' is empty")

json_path = os.path.join(source, "SlicerMotionCorrection.json")
entry = json.load(open(json_path, encoding="utf-8"))
depends = [] if fields["depends"] == "NA" else fields["depends"].split()
checks = {"scm_url": fields["scmurl"], "scm_revision": fields["scmrevision"], "scm_type": fields["scm"],
          "category": fields["category"], "build_subdirectory": fields["build_subdirectory"],
          "build_dependencies": depends}
for key, want in checks.items():
    if entry.get(key) != want:
        failures.append(f"{json_path}: {key} is {entry.get(key)!r}, CMakeLists.txt says {want!r}")

# The icon and screenshot URLs point into this repository: the files must exist at those paths.
prefix = "https://raw.githubusercontent.com/SlicerMotionCorrection/SlicerMotionCorrection/main/"
for url in [fields["iconurl"]] + fields["screenshoturls"].split():
    if url.startswith(prefix) and not os.path.isfile(os.path.join(source, url[len(prefix):])):
        failures.append(f"{url}: no such file in the source tree")

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
