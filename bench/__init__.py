"""Benchmarks for masthead, one command each (`python -m bench.<name>`); results go to bench/results/."""
