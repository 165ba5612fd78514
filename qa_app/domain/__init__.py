"""Pure domain rules: plain Python with no Flask, SQLAlchemy or WTForms.

`now`, calendars and settings are passed in as arguments, never read from globals, so every
rule can be unit-tested with worked examples and no app or database.
"""
