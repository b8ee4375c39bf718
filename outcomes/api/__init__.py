"""REST API for the outcomes framework, submissions and measurements."""
