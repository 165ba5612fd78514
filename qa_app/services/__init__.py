"""Use cases: each public function is one thing a user does, in one transaction.

Views (web pages, the API, the CLI) parse input, call one of these, and render the result.
They never write models themselves.
"""
