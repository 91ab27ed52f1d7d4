// npm run lint: typescript-eslint with type information, for the mistakes that silently drop work in
// a Worker (a promise nobody awaits ends with the request) and for switches that miss a case.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["test/vitest.config.ts", "node_modules/", ".wrangler/", ".bench/", "test-results/", "playwright-report/", "worker-configuration.d.ts", "migrations/"] },
  {
    files: ["**/*.ts", "**/*.tsx"],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/require-await": "off",
    },
  },
);
