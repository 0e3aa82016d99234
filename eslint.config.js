import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", ".kanade/**", "test-output/**", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", URL: "readonly", AbortController: "readonly", TextDecoder: "readonly", TextEncoder: "readonly", fetch: "readonly", structuredClone: "readonly", setImmediate: "readonly" },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "no-empty": ["error", { allowEmptyCatch: false }],
      "no-console": "off",
    },
  },
  {
    // The agent's bundle: `import * as z` lets esbuild drop the half of zod the agent never calls; `import { z }`
    // (zod's namespace as a value) keeps all of it, 1.7 MiB more on every PC (docs/operator/performance.md).
    files: ["packages/agent/src/**/*.ts", "packages/protocol/src/**/*.ts"],
    rules: {
      "no-restricted-syntax": ["error", { selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z'][importKind!='type']", message: 'Use `import * as z from "zod"`: the agent bundle then leaves out the parts of zod it never calls.' }],
    },
  },
  {
    // The SPA runs in a browser (its own tsconfig has the DOM libs).
    files: ["packages/web/src/**/*.{ts,tsx}"],
    languageOptions: {
      globals: { window: "readonly", document: "readonly", navigator: "readonly", WebSocket: "readonly", MessageEvent: "readonly", CloseEvent: "readonly", ResizeObserver: "readonly", HTMLDivElement: "readonly", HTMLTextAreaElement: "readonly", HTMLDialogElement: "readonly", HTMLAnchorElement: "readonly", URLSearchParams: "readonly", Response: "readonly" },
    },
  },
  {
    // kanade-client's UI: plain browser modules served as they are.
    files: ["packages/client/ui/**/*.js"],
    languageOptions: {
      globals: { window: "readonly", document: "readonly", navigator: "readonly", localStorage: "readonly", matchMedia: "readonly", fetch: "readonly", EventSource: "readonly", FormData: "readonly" },
    },
  },
);
