"""The kernel every layer may use and that uses none: the platform's clock, its
errors (a stable code and a Chinese message), and date arithmetic. The
libraries (forms, storage) depend on nothing else."""
