"""What the lessons ask and set up: the batch-size experiments, the presets, the class's questions."""
