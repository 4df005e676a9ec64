"""secure_django."""
