"""The command line's sub-commands (``python -m helpers --help``)."""
