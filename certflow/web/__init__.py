"""Pages shared by every role: home, the application page."""
