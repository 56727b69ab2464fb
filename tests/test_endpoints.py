"""One owner of Pageturn's route names: pageturn.model.endpoints. The app serves each route where the
table says, and everything else that names a route (load generator, service times, admin panel,
alerts and their Prometheus rules) takes the names from it."""

import re

import pytest

from pageturn.live import admin, alerts, loadgen, routes, versions
from pageturn.model import endpoints


def test_the_app_serves_each_route_at_its_method_and_path():
    served = {(method, path): name for path, table in routes.ROUTES.items() for method, (name, _) in table.items()}
    for name, (method, path) in endpoints.ENDPOINTS.items():
        assert served[(method, path)] == name
    others = {key: name for key, name in served.items() if key not in set(endpoints.ENDPOINTS.values())}
    assert others and all(
        name == endpoints.ADMIN and path.startswith(endpoints.ADMIN_PREFIX) for (_, path), name in others.items()
    )
    assert set(served.values()) == {*endpoints.ENDPOINTS, endpoints.ADMIN}


@pytest.mark.parametrize("route", loadgen.MIX_ROUTES)
def test_the_load_generator_sends_each_route_where_the_app_serves_it(route):
    for item in loadgen.plan(5, mix={route: 1}, seed=3):
        method, path = endpoints.ENDPOINTS[route]
        assert item["method"] == method and item["path"].split("?")[0] == path
        assert routes.ROUTES[path][method][0] == route


def test_every_other_use_of_a_route_name_is_one_of_the_table_s():
    assert set(loadgen.DEFAULT_MIX) == set(endpoints.READER_ROUTES)
    assert set(versions.SERVICE_S) <= set(endpoints.ENDPOINTS)
    assert set(versions.SLOW_COVER_ROUTES) <= set(endpoints.READER_ROUTES)
    assert sorted(admin.ROUTES) == sorted(endpoints.READER_ROUTES)
    assert alerts.READER_ROUTES is endpoints.READER_ROUTES


def test_the_alert_rules_count_the_readers_routes():
    text = alerts.rules_path().read_text()
    selectors = set(re.findall(r'route=~"([^"]+)"', text))
    assert selectors == {"|".join(endpoints.READER_ROUTES)}
