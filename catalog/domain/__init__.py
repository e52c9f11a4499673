"""The ground of the project: product model, locations, issues, rule catalog, report, errors.

Everything else imports this package; it imports nothing else of the project.
"""
