"""Simulated agency data: people, their families and the noisy records agencies keep."""
