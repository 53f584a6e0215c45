// ESLint (flat config): the recommended JavaScript and typescript-eslint rules, less the ones tsc
// already enforces (unused names: noUnusedLocals/noUnusedParameters) and the ones the device code's ES5
// style contradicts on purpose. `npm run lint`; `npm test` runs it. Formatting is Prettier's
// (.prettierrc.json, `npm run format:check`), not ESLint's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["node_modules/**", "build/**", "sim/build/**", "engines/build/**", "**/*.d.ts", "**/*.d.mts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
    rules: {
      // tsc reports these (noUnusedLocals, noUnusedParameters).
      "no-unused-vars": "off",
      "@typescript-eslint/no-unused-vars": "off",
      // core/ and firmware/ are written for ES5 engines: `var`, `var self = this`, and `any` at the
      // engine boundary are the style there, not mistakes.
      "no-var": "off",
      "@typescript-eslint/no-this-alias": "off",
      "@typescript-eslint/no-explicit-any": "off",
      // Handlers are user functions called by name with .apply; `Function` is the honest type there.
      "@typescript-eslint/no-unsafe-function-type": "off",
      // A catch that ignores an error says why in a comment next to it.
      "no-empty": ["error", { allowEmptyCatch: true }]
    }
  },
  {
    // Scripts run inside the engines under test, concatenated with the bundle and the engine's globals
    // (Espruino's E, Serial1; Kaluma's storage; the sim's sim), and with the engines' own require().
    files: ["engines/fixtures/**/*.js", "engines/personalities/**/*.js"],
    languageOptions: { sourceType: "script" },
    rules: { "no-undef": "off", "@typescript-eslint/no-require-imports": "off" }
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" }
  }
);
