"""secure_shiny."""
