"""The register of voluntary organisations."""
