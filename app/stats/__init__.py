"""The learner's stats page: heatmap, forecast, retention, streak, time and weakest items."""
