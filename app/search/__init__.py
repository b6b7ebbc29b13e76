"""Full-text search over organisations, networks, regions and contacts (`GET /search`, `q=`)."""
