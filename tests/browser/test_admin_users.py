"""An administrator invites someone, who follows the link in the invitation email (as the
Emails sent page shows it: the log backend), sets a password and is signed in."""

from uuid import uuid4

from playwright.sync_api import expect

from tests.browser.pages import SetPassword, Users


def test_admin_invites_an_officer_who_sets_a_password(site, new_visitor, live_server):
    suffix = uuid4().hex[:6]
    name, email = f"Robin Ashworth {suffix}", f"robin.ashworth.{suffix}@council.example"
    site.sign_in("admin@demo.example")
    users = Users(site).open()
    site.screenshot("07-admin-users")

    link = users.invite(name, email, role="Quality officer")  # from the email, not the screen
    assert link.startswith(f"{live_server.url}/set-password/"), link
    site.screenshot("10-invitation-email")

    newcomer = new_visitor()  # their own browser: no admin session
    SetPassword(newcomer).open(link)
    newcomer.screenshot("12-create-password")
    SetPassword(newcomer).create("a long new passphrase")
    assert newcomer.signed_in_as() == name
    expect(newcomer.banner()).to_contain_text("Your password has been set")

    Users(site).open()
    row = next(cells for cells in site.table("Users") if cells[0] == name)
    assert row[1:4] == [email, "Quality officer", "Active"], row

    stranger = new_visitor()  # the link works once
    stranger.visit(link, "This link has expired or has already been used", status=404)
