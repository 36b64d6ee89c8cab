"""The demo mall generator (python -m demo)."""
