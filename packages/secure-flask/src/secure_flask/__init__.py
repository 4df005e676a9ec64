"""secure_flask."""
