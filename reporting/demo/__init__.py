"""Generated data for demos and load tests: one generator (generator.py) behind seed_demo and seed_large."""
