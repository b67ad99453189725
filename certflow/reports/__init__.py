"""The region's figures: counts, medians, their cache."""
