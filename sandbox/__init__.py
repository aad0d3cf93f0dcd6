"""A local server that answers like SuiteCRM V8, with synthetic customers."""
