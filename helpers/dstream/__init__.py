"""The DStream engine: the pipeline as plain functions on DStreams, its run, and a recoverable driver."""
