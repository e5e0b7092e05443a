"""The Streamlit glue the pages share, the only Streamlit code besides them: the language and the
URL-bound controls, the class's store and its live fragments, the class room, the MNIST race's
state machine, figures explored in the browser and the pages' cached computations. The lessons
themselves are in ``optviz``."""
