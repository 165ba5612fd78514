// Loaded as a module with the page's CSP nonce. GOV.UK Frontend's components are started here.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();
