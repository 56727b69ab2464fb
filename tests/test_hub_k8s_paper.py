"""The Kubernetes paper (grading/jupyterhub/k8s/): checked as far as this machine can.

* values.yaml, merged over zero-to-jupyterhub 4.4.0's own defaults (as helm does), validates against
  that chart's values.schema.yaml (both vendored in tests/hub/z2jh/, BSD-3-Clause, see its LICENSE);
* the groups, roles and ngshare service agree with each other and with the course id;
* nbgrader_config.py points the exchange at the ngshare service named in values.yaml.

NOT run here: helm, Kubernetes, the course image, ngshare, ngshare_exchange.
"""

import ast
import copy
import re
from pathlib import Path

import jsonschema
import yaml

from pageturn.course import manifest
from thiscourse import ROOT

K8S = ROOT / "grading" / "jupyterhub" / "k8s"
Z2JH = ROOT / "tests" / "hub" / "z2jh"
COURSE = manifest.course_id()


def merged(base, over):
    out = copy.deepcopy(base)
    for key, value in over.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def values():
    return yaml.safe_load((K8S / "values.yaml").read_text())


def test_values_validate_against_the_charts_schema():
    schema = yaml.safe_load((Z2JH / "values.schema.yaml").read_text())
    defaults = yaml.safe_load((Z2JH / "values.yaml").read_text())
    jsonschema.validate(merged(defaults, values()), schema)


def test_the_schema_check_can_fail():
    schema = yaml.safe_load((Z2JH / "values.schema.yaml").read_text())
    defaults = yaml.safe_load((Z2JH / "values.yaml").read_text())
    wrong = merged(defaults, values())
    wrong["singleuser"]["storage"]["capacity"] = {"not": "a size"}
    wrong["hub"]["serivces"] = {}
    try:
        jsonschema.validate(wrong, schema)
    except jsonschema.ValidationError:
        return
    raise AssertionError("a misspelt key and a wrong type passed the chart's schema")


def test_roles_groups_and_the_exchange_service_agree():
    v = values()
    groups_code = v["hub"]["extraConfig"]["pageturn-groups"]
    groups = ast.literal_eval(groups_code.split("=", 1)[1].strip())
    assert set(groups) == {f"formgrade-{COURSE}", f"nbgrader-{COURSE}"}
    roles = v["hub"]["loadRoles"]
    for g in groups:
        assert roles[g]["groups"] == [g]
        assert "access:services!service=ngshare" in roles[g]["scopes"]
    assert roles["server"]["scopes"] == ["inherit"]
    assert v["hub"]["config"]["Authenticator"]["admin_users"] == []  # teachers are not hub admins
    members = {u for g in groups.values() for u in g["users"]}
    assert members == set(v["hub"]["config"]["Authenticator"]["allowed_users"])
    assert "ngshare" in v["hub"]["services"]
    tree = ast.parse((K8S / "nbgrader_config.py").read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "configureExchange"]
    (call,) = calls
    assert re.fullmatch(r"http://[a-z\-]+/services/ngshare", call.args[1].value)


def test_the_pods_use_the_courses_own_view_folders():
    env = values()["singleuser"]["extraEnv"]
    for key in ("JUPYTER_CONFIG_DIR", "JUPYTER_CONFIG_PATH"):
        rel = Path(env[key]).relative_to("/srv/pageturn")
        assert (ROOT / rel).is_dir(), f"{key} names {rel}, which the repository does not have"
    teacher = values()["singleuser"]["profileList"][1]["kubespawner_override"]["environment"]["JUPYTER_CONFIG_DIR"]
    assert (ROOT / Path(teacher).relative_to("/srv/pageturn") / "jupyter_server_config.json").is_file()
