"""The optimizers (PyTorch's conventions), the learning-rate schedules, and the registry that offers
them to the pages: one entry per optimizer, with its knobs, its worked update and its weight decay."""
