"""The assessment app's pages, one module per use-case."""
