"""Fuzzing, fault injection, soak and abuse runs against private services."""
