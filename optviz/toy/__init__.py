"""The two-weight lessons' mathematics: the surfaces, descent on them, curvature and the stability
limit, convergence rates, a teacher's own function, basins of attraction and the worked update."""
