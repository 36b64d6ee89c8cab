"""The platform-side jobs that build and refresh the rollup tables."""
