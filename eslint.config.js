// ESLint for our own scripts in qa_app/static (GOV.UK Frontend, built into static/govuk, is
// not ours to lint). `make lint` runs it.
const js = require("@eslint/js");
const globals = require("globals");
const { defineConfig, globalIgnores } = require("eslint/config");

module.exports = defineConfig([
  globalIgnores(["qa_app/static/govuk/", "qa_app/static/vendor/"]),
  {
    // The page scripts: ES modules loaded with the page's CSP nonce.
    files: ["qa_app/static/*.js"],
    ignores: ["qa_app/static/service-worker.js"],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: globals.browser,
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  {
    // The service worker: a classic script, with the service worker's globals (self, clients…).
    files: ["qa_app/static/service-worker.js"],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: globals.serviceworker,
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  {
    // This file.
    files: ["eslint.config.js"],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
]);
