"""The live fleet of Lesson 4: the pager story of the HellOps talk, made real on 127.0.0.1.

Small modules, each named for what it holds:

* :mod:`pageturn.live.balancer` - a load balancer that routes readers to instances and logs request ids;
* :mod:`pageturn.live.fleet` - several Pageturn instances behind it, watched by a monitor;
* :mod:`pageturn.live.faults` - realistic faults to inject into one instance;
* :mod:`pageturn.live.alerts` - SLO burn-rate alerts (multiwindow, multi-burn-rate) and the Prometheus rules;
* :mod:`pageturn.live.quarantine` - take an instance out of service, keep it, replace it, restore its data;
* :mod:`pageturn.live.console` - the debug page and the live console of a quarantined instance;
* :mod:`pageturn.live.canary` - judge a fix on part of the readers against a control.
"""
