"""Streamlit helpers shared by the pages: language, URL-bound controls. Only the UI lives here;
the lessons themselves are in ``optviz``."""
