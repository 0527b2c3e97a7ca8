// ESLint (flat config) with typescript-eslint for every TypeScript file of the repository.
// `npm run lint` (also runs solhint on the contracts).
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "artifacts/",
      "cache/",
      "coverage/",
      "dist/",
      "typechain-types/",
      "docs/api/",
      "src/swap/swap.pb.ts",
      "src/abi/generated.ts",
      ".build/",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      // errors are typed (SettlementError subclasses), never bare
      "no-restricted-syntax": [
        "error",
        {
          selector: "ThrowStatement > NewExpression[callee.name='Error']",
          message: "throw a SettlementError subclass, not a bare Error",
        },
      ],
      "prefer-const": "error",
      eqeqeq: ["error", "always", { null: "ignore" }],
    },
  },
  {
    // type-aware promise checks (every promise has a handler); only these two, to keep `npm run lint` fast
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  {
    // tests, benches, scripts and examples may throw plain errors in harness code
    files: ["test/**", "test-support/**", "bench/**", "scripts/**", "examples/**", "tasks/**", "hardhat.config.ts"],
    rules: {
      "no-restricted-syntax": "off",
      // harness code reads JSON bodies of HTTP responses loosely; the library itself keeps `any` out
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    // a script served to the browser as is (the daemon's dashboard): it cannot import the error classes
    files: ["src/daemon/dashboard/**/*.js"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    // CommonJS configuration files (contracts/test/solhint.config.cjs) load their base with require
    files: ["**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
