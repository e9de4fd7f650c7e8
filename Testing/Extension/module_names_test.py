#!/usr/bin/env python3
"""Every Slicer module of the extension has its own Slicer name, and the docs name only those.

Slicer's module factories name a loadable module after its class (qSlicer<Name>Module -> <Name>)
and a CLI after its executable (<Name>, or <Name>Lib without 'Lib'); `slicer.modules.<name>` is the
name in lower case. Two modules with one name: the factory keeps one and drops the other.
usage: module_names_test.py SOURCE_DIR
"""
import os, re, sys

source = sys.argv[1]
modules = {}  # Slicer name -> where it comes from
failures = []

def add(name, origin):
    key = name.lower()
    if key in modules:
        failures.append(f"Slicer module name '{name}' from {origin} is already used by {modules[key]}")
    else:
        modules[key] = origin

for folder, _, files in os.walk(os.path.join(source, "Modules")):
    for f in files:
        path = os.path.join(folder, f)
        rel = os.path.relpath(path, source)
        if f == "CMakeLists.txt":
            text = re.sub(r"#.*", "", open(path, encoding="utf-8").read())
            for m in re.finditer(r"SEMMacroBuildCLI\s*\(\s*NAME\s+([\w${}]+)", text):
                add(m.group(1), f"{rel} (CLI module)")
        elif f.endswith(".h"):
            for m in re.finditer(r"class\s+\w+\s+qSlicer(\w+)Module\s*:\s*public\s+qSlicer(Loadable|ScriptedLoadable)Module\b",
                                 open(path, encoding="utf-8").read()):
                add(m.group(1), f"{rel} (loadable module)")
if len(modules) < 2:
    failures.append(f"expected a CLI module and a loadable module, found {sorted(modules)}")

# slicer.modules.<name> in the docs and code comments must be one of them.
for root in ["README.md", "Docs", "Modules"]:
    top = os.path.join(source, root)
    paths = [top] if os.path.isfile(top) else [os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs]
    for path in paths:
        if not path.endswith((".md", ".h", ".cxx", ".py")):
            continue
        for n, line in enumerate(open(path, encoding="utf-8", errors="replace"), 1):
            for m in re.finditer(r"slicer\.modules\.(\w+)", line):
                if m.group(1) not in modules and m.group(1) != "loadable":  # Qt plugin IID, not a module
                    failures.append(f"{os.path.relpath(path, source)}:{n}: slicer.modules.{m.group(1)} is no module of this extension")

print("modules:", ", ".join(f"{k} <- {v}" for k, v in sorted(modules.items())))
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
