"""Signing in through the form, for every role, and signing out again."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from qa_app.services import demo

NAMES = {email: name for email, name, _, _ in demo.USERS}
HOMES = {  # role: (demo user, h1 of their home, its address)
    "admin": ("admin@demo.example", "Home", "/home"),
    "manager": ("manager@demo.example", "Home", "/home"),
    "officer": ("officer@demo.example", "Home", "/home"),
    "provider": ("provider@demo.example", "Your services", "/portal/"),
}


@pytest.mark.parametrize("role", HOMES)
def test_each_role_signs_in_to_their_home_and_signs_out(site, role):
    email, home, path = HOMES[role]
    if role == "officer":
        site.visit("/sign-in", "Sign in")
        site.screenshot("01-sign-in")

    site.sign_in(email, lands_on=home)
    assert urlsplit(site.page.url).path == path
    assert site.signed_in_as() == NAMES[email]
    if role == "officer":
        site.screenshot("02-staff-home")

    site.sign_out()
    expect(site.banner()).to_contain_text("You have signed out")
    site.visit(path, "Sign in")  # signed out means signed out: home asks to sign in again
