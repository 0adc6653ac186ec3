"""HTTP routes: JSON API under /api/v1, web pages under /ui, health and metrics at the root."""
