"""The provider portal: a provider's staff see their own services and nothing else."""

from qa_app.services import demo
from tests.browser.pages import Portal

HEATHERVALE = sorted(s[0] for s in demo.SERVICES if s[1] == 0)  # provider@demo.example's


def test_provider_sees_only_their_own_services(site, live_server):
    other_providers_service = live_server.service_id("Brookside Manor")
    site.sign_in("provider@demo.example", lands_on="Your services")
    portal = Portal(site)
    names = portal.service_names()
    assert sorted(names) == HEATHERVALE
    assert all(name.startswith("Heathervale") for name in names)
    site.screenshot("06-portal-home")

    portal.open_service("Heathervale Lodge")
    site.screenshot("11-portal-service")

    site.visit(f"/portal/services/{other_providers_service}", "Page not found", status=404)
    site.screenshot("09-page-not-found")
    site.visit(f"/services/{other_providers_service}", "Page not found", status=404)
    site.visit("/services", "Page not found", status=404)
