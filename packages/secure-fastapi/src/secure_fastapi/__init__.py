"""secure_fastapi."""
