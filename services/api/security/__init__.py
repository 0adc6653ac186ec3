"""Passwords, signed session tokens, CSRF tokens and the login rate limiter."""
