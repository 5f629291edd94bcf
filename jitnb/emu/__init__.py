"""emu package."""
