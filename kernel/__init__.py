"""The kernel every layer may use and that uses none above it: the platform's
clock and working-day calendar, its errors (a stable code and a Chinese
message), the database base and unit of work, actors and accounts, gap-free
sequences, throttles and number parsing. The libraries (forms, storage) use
only the pure parts of it (clock, errors, date arithmetic)."""
