"""Synthetic data: the calibrated sample of one province and the national-scale data set of the benchmark."""
