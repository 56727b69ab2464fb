"""What the lesson notebooks show: interactive parts and plots built on :mod:`pageturn.model`.

* :mod:`pageturn.lessons.dial` - Lesson 1's deploy dial and its plots;
* :mod:`pageturn.lessons.histplot` - Lesson 2's histogram and heat-map plots;
* :mod:`pageturn.lessons.quiz` - the quizzes (model / render / widget), read from ``lessons/quizzes/*.toml``.
"""
