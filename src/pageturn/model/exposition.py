"""The one reader of the Prometheus text exposition format in the course.

Pageturn's metrics are written by the ``prometheus_client`` library (``generate_latest``) and read
back here with the same library's parser. :func:`samples` is the only place that walks parsed
exposition text; :func:`pageturn.live.appmetrics.parse` (a DataFrame), :func:`pageturn.model.histogram.from_prometheus`
(a course histogram) and :func:`pageturn.live.alerts.counts_from_text` (an SLI's counts) build on it.

>>> text = '# TYPE pageturn_requests counter\\npageturn_requests_total{route="search",status="200"} 3.0\\n'
>>> [(s.sample, s.labels["route"], s.value) for s in samples(text)]
[('pageturn_requests_total', 'search', 3.0)]
"""

from __future__ import annotations

from dataclasses import dataclass

#: The names of Pageturn's request metrics, the one owner of them: the running app writes them
#: (:mod:`pageturn.live.appmetrics`, which re-exports them) and the course's histograms are exposed
#: and read back under the same name (:mod:`pageturn.model.histogram`).
REQUESTS = "pageturn_requests"  # counter (its labels: pageturn.live.appmetrics.AppMetrics)
LATENCY = "pageturn_request_duration_seconds"  # histogram, in seconds (labels: as REQUESTS)


@dataclass(frozen=True)
class Sample:
    """One sample: its ``family`` name and ``type`` (counter, histogram, ...), the ``sample`` name
    (for example ``pageturn_request_duration_seconds_bucket``), its ``labels`` (a dict of str) and ``value``."""

    family: str
    type: str
    sample: str
    labels: dict
    value: float


def samples(text, *, created: bool = False) -> list[Sample]:
    """Every sample in exposition ``text`` (str or bytes), in order.

    The ``*_created`` timestamps prometheus_client adds are left out unless ``created`` is set.

    Raises:
        ValueError: if ``text`` is not a str or bytes, or is not valid exposition text.
    """
    from prometheus_client.parser import text_string_to_metric_families

    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if not isinstance(text, str):
        raise ValueError(f"text must be Prometheus exposition text (str or bytes), got {type(text).__name__}")
    out = []
    try:
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                if s.name.endswith("_created") and not created:
                    continue
                out.append(Sample(family.name, family.type, s.name, dict(s.labels), float(s.value)))
    except Exception as error:  # the parser raises several types; give one clear error
        raise ValueError(f"text is not valid Prometheus exposition text: {error}") from None
    return out
