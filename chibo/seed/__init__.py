"""Demo and province-scale data, built for trying Chibo out and for the benchmark."""
