"""signalhub: regional inter-agency hub of family-risk signals."""

__version__ = "0.1.0"
