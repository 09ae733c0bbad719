"""Red and black lists (红黑榜)."""
