"""aarch64 package."""
