"""Demo data: a believable municipality, and scaled data for benchmarks."""
