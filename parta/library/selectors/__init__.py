"""Read use-cases of the library, one module per use-case."""
