"""Networks on the digits: layers, the MLP, the initialisation experiment, training runs and the
look inside them, the gradient check, the random search, sharpness, the edge of stability and the
loss on the plane of a run's own path."""
