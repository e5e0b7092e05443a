"""optviz: the NumPy core behind the app, in rooms whose arrows run one way.

- ``optim``, ``toy``, ``nn``, ``lessons``: the mathematics (and what the lessons set up); they import
  nothing from the rooms below, and know no language.
- ``figures``: every figure, from the mathematics and the words.
- ``serve``: the shared store, class rooms, replicas and the data files.
- ``i18n``: the words of each language.
- ``jobs``: a long computation cut into pieces, which the mathematics yields and ``serve`` runs.

Nothing in this package imports Streamlit (``ui/`` and ``pages/`` do), so every function here can be
tested and benchmarked on its own (tests/test_layout.py checks both rules).
"""
