"""What a learner sees: the dashboard, the window explorer, timelines, plots and the live D3 page."""
