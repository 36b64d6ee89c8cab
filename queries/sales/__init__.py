"""Sales figures: headline KPIs, trends, breakdowns and the vendor leaderboard."""
