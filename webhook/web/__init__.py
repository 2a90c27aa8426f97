"""The learner's web app: page routes, static files, API description and security headers."""
