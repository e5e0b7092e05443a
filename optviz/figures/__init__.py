"""Every figure: Plotly and Vega-Lite builders, the raster and contour lines behind them, drawn
digits, and the figures' data as CSV. Figures use the mathematics and the words; nothing in the
mathematics uses them."""
