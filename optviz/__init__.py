"""optviz: the NumPy core behind the app (optimizers, surfaces, networks, data, figures).

Nothing in this package imports Streamlit, so every function here can be tested and
benchmarked on its own.
"""
