"""What several test files share: verdict assertions and Spark stand-ins, awkward input lines, a local X API server,
a notebook's code cells."""
