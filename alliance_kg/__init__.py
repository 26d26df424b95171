"""alliance-kg: a knowledge graph of South Korea's local governments and their ties."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("alliance-kg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
