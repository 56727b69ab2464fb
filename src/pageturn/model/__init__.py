"""Pure models: no widgets, no I/O, nothing from ``live``, ``lessons``, ``course`` or ``grading``.

* :mod:`pageturn.model.sim` - Pageturn's quarter, week by week: deploys, incidents, both jobs' scores;
* :mod:`pageturn.model.rhythm` - the weekly and daily rhythm of readers;
* :mod:`pageturn.model.traffic` - request logs with latencies, for the latency lessons;
* :mod:`pageturn.model.dora` - the DORA clusters and the dial's presets;
* :mod:`pageturn.model.histogram` - percentiles, histograms, log buckets, heat maps;
* :mod:`pageturn.model.sketches` - mergeable latency sketches (Lab 2's reference);
* :mod:`pageturn.model.canary` - judging a canary against a control, allowing for noise;
* :mod:`pageturn.model.exposition` - the one reader of the Prometheus text format.
"""
