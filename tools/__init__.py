"""One-off maintenance tools (not used at run time)."""
