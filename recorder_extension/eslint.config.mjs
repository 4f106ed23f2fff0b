// `../tests/browser/node_modules/.bin/eslint .` from recorder_extension/ (`.ci/lint`): browser + extension globals, no build step.
export default [
  {
    files: ["**/*.js"],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "script",
      globals: {
        chrome: "readonly", globalThis: "readonly", window: "readonly", document: "readonly",
        location: "readonly", parent: "readonly", navigator: "readonly", performance: "readonly",
        crypto: "readonly", fetch: "readonly", setTimeout: "readonly", clearTimeout: "readonly",
        setInterval: "readonly", console: "readonly", URL: "readonly", Intl: "readonly",
        module: "readonly", require: "readonly", process: "readonly",
      },
    },
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
      "no-undef": "error",
      eqeqeq: ["error", "smart"],
      "prefer-const": "error",
      "no-var": "error",
    },
  },
  {
    files: ["service-worker.js", "lib/store.js", "lib/delivery.js", "lib/session.js", "lib/navigation.js",
      "lib/handler-queue.js", "lib/ids.js", "popup/popup.js", "options/options.js"],
    languageOptions: { sourceType: "module" },
  },
];
