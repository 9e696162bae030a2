"""The audit log of staff changes and views of personal data."""
