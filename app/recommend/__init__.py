"""The recommendation engine as a library: candidate generators, ensemble, rules, experiments.

The Faust agent and the HTTP views call :class:`~app.recommend.engine.Engine`; the offline
evaluation (``bench/eval/``) drives the same objects. Nothing here touches the event loop with
heavy work: :meth:`Learned.train` is blocking and meant for an executor.
"""
