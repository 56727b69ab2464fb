"""pyproject.toml, requirements.lock and environment.yml name the same packages with compatible versions."""

import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from thiscourse import ROOT


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _lock():
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = Version(version)
    return pins


def _conda():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip += dep.get("pip", [])
            continue
        name, _, version = dep.partition("=")
        specs[canonicalize_name(name)] = version.lstrip("=")
    return env, specs, pip


def _conda_allows(spec: str, version: Version) -> bool:
    """conda's `name=1.2` means 1.2.*; `name=1.2.3` means that release."""
    return version.base_version == spec or version.base_version.startswith(spec + ".")


def test_environment_is_conda_forge_with_a_python_version():
    env, specs, pip = _conda()
    assert env["channels"] == ["conda-forge"]
    assert specs.get("python"), "environment.yml must pin a Python version"
    assert Version(specs["python"] + ".0") in SpecifierSet(_pyproject()["project"]["requires-python"])


def _pip_pins(pip):
    """The `name==version` lines of environment.yml's pip section (PyPI packages conda-forge may lack)."""
    return {canonicalize_name(line.split("==")[0]): Version(line.split("==")[1]) for line in pip if "==" in line}


def test_every_dependency_is_in_all_three_with_compatible_versions():
    _, specs, pip = _conda()
    pins = _lock()
    from_pypi = _pip_pins(pip)
    for text in _pyproject()["project"]["dependencies"]:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in requirements.lock"
        assert pins[name] in req.specifier, f"requirements.lock pins {req.name}=={pins[name]}, outside {req.specifier}"
        if name in from_pypi:
            assert name not in specs, f"{req.name} is in both the conda and the pip part of environment.yml"
            assert from_pypi[name] == pins[name], (
                f"environment.yml's pip part pins {req.name}=={from_pypi[name]}, requirements.lock {pins[name]}"
            )
            continue
        assert name in specs, f"{req.name} is missing from environment.yml"
        assert specs[name], f"environment.yml must give {req.name} a version"
        assert _conda_allows(specs[name], pins[name]), (
            f"environment.yml wants {req.name}={specs[name]}, requirements.lock pins {pins[name]}"
        )
    extra = (
        set(specs)
        - {canonicalize_name(Requirement(t).name) for t in _pyproject()["project"]["dependencies"]}
        - {"python", "pip"}
    )
    assert not extra, f"environment.yml has packages pyproject.toml does not: {extra}"


def test_the_test_tools_are_pinned_too():
    pins = _lock()
    for text in _pyproject()["project"]["optional-dependencies"]["test"]:
        req = Requirement(text)
        assert canonicalize_name(req.name) in pins and pins[canonicalize_name(req.name)] in req.specifier


def test_binder_installs_the_package_from_the_repository():
    _, specs, pip = _conda()
    assert "pip" in specs
    assert pip[-1] == "-e ." and all("==" in line for line in pip[:-1])


def test_make_help_lists_every_command():
    """Every .PHONY target of the Makefile is in `make help`, so nobody has to read the Makefile."""
    import re
    import subprocess

    text = (ROOT / "Makefile").read_text()
    targets = set(re.search(r"^\.PHONY:(.*)$", text, re.M).group(1).split()) - {"help"}
    shown = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    listed = set(re.findall(r"\bmake ([a-z][a-z-]*)", shown))
    assert targets <= listed, f"make help leaves out {sorted(targets - listed)}"
