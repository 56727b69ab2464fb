"""The running Pageturn, on 127.0.0.1: one app (Lesson 3) and a live fleet (Lesson 4).

Small modules, each named for what it holds:

* :mod:`pageturn.live.app` - the app's server: start, stop, canary routing, metrics, logs, hooks;
* :mod:`pageturn.live.routes` - what each URL does, and how a bad request is answered;
* :mod:`pageturn.live.versions` - the versions and what is true of each (speed, list order, bugs);
* :mod:`pageturn.live.serving` - the threaded HTTP server that tracks requests in flight;
* :mod:`pageturn.live.appmetrics` - the app's Prometheus metrics and how to read a scrape;
* :mod:`pageturn.live.client` - the one HTTP client;
* :mod:`pageturn.live.loadgen` - the load generator (latency from sent and from due);
* :mod:`pageturn.live.sanity` - sanity checks against the running app;
* :mod:`pageturn.live.admin` - the admin panel (ipywidgets);

* :mod:`pageturn.live.balancer` - a load balancer that routes readers to instances and logs request ids;
* :mod:`pageturn.live.fleet` - several Pageturn instances behind it, watched by a monitor;
* :mod:`pageturn.live.faults` - realistic faults to inject into one instance;
* :mod:`pageturn.live.alerts` - SLO burn-rate alerts (multiwindow, multi-burn-rate) and the Prometheus rules;
* :mod:`pageturn.live.quarantine` - take an instance out of service, keep it, replace it, restore its data;
* :mod:`pageturn.live.console` - the debug page and the live console of a quarantined instance;
* :mod:`pageturn.live.canary` - a fix on part of the readers, judged against an equal-size control (Lesson 3's judge).
"""
