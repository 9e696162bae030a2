"""The coordinators' pages: review queue and audit log."""
