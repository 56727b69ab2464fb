"""Building, checking and viewing the course itself (what authors run).

* :mod:`pageturn.course.manifest` - ``course.toml``, the one owner of the course's facts (stdlib only);
* :mod:`pageturn.course.nav` - ``make nav``: navigation lines and the start page from the manifest;
* :mod:`pageturn.course.data` - reading the datasets in ``data/``; :mod:`pageturn.course.databuild` builds them;
* :mod:`pageturn.course.nbtools` - notebook tools (strip outputs);
* :mod:`pageturn.course.statichtml` - the offline HTML export;
* :mod:`pageturn.course.views` - the student and teacher JupyterLab views (``make lab``, ``make teacher``);
* :mod:`pageturn.course.bench` - ``make bench``'s table.
"""
