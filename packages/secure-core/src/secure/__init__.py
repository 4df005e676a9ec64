"""HTTP security headers for Python web applications."""
