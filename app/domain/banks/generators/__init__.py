"""The question generators, one module per family of kinds; `generate.py` registers them."""
