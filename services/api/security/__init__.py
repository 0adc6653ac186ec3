"""Passwords, signed session tokens and their session rows, CSRF tokens and the login rate limiter."""
