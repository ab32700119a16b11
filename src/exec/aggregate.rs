//! Aggregation accumulators: count, sum, avg, min, max, collect, percentiles, stDev.
