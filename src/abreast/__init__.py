"""abreast: keeps a busy engineer abreast of the AI/LLM field."""

__version__ = "0.1.0"
