"""Developer tools around the warehouse (not imported by the product at run time)."""
