"""Write use-cases of the library, one module per use-case: authoring (create, save, restore),
moderation (submit, publish, return), giving materials to classes, and usage."""
