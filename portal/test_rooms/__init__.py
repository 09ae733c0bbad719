"""快检室: testing rooms open to citizens, their slots, bookings and results."""
