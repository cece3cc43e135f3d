"""The domain packages load no framework at run time, not only in import-linter's graph.

import-linter follows the imports a module names; Python also runs every parent package's
``__init__`` (a package that imported its parsers there made every "pure" submodule load
feedparser). So every module of the packages the purity contract names is imported here in
a fresh interpreter, and none of the contract's forbidden modules may be loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

from tests.unit.conftest import REPO

PROBE = """
import importlib, json, pkgutil, sys
loaded = []
for name in json.loads(sys.argv[1]):
    package = importlib.import_module(name)
    loaded.append(name)
    # A module (academichub.tex) has no __path__: it is itself the whole of it.
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), name + "."):
        importlib.import_module(info.name)
        loaded.append(info.name)
print(json.dumps({"modules": loaded, "present": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def _purity_contract() -> dict[str, list[str]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["type"] == "forbidden"
        and "academichub.*.domain" in c["source_modules"]
        and not c["forbidden_modules"][0].startswith("academichub.")
    ]
    return contract


def test_importing_every_domain_module_loads_no_framework() -> None:
    contract = _purity_contract()
    # The embedding port's remote adapter is the contract's named exception.
    exceptions = {i.split(" -> ")[0] for i in contract.get("ignore_imports", [])}
    packages = [
        m.replace("*", service)
        for m in contract["source_modules"]
        for service in (("ingestor", "matcher", "briefer", "gateway") if "*" in m else ("",))
    ]
    probe = PROBE.replace(
        "importlib.import_module(info.name)",
        f"None if info.name in {sorted(exceptions)!r} else importlib.import_module(info.name)",
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(packages)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(done.stdout)
    assert "academichub.ingestor.domain.pages" in report["modules"]
    assert len(report["modules"]) > 100
    assert set(contract["forbidden_modules"]) & set(report["present"]) == set()
