// Lint over every source, test, script and benchmark. TypeScript is linted type-aware: unawaited
// promises are errors (exporters and timers are where they hide).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The rules that reject values of unknown shape (`any`, unsafe reads, implicit stringification). */
const UNKNOWN_SHAPES = {
  '@typescript-eslint/no-explicit-any': 'off',
  '@typescript-eslint/no-unsafe-assignment': 'off',
  '@typescript-eslint/no-unsafe-member-access': 'off',
  '@typescript-eslint/no-unsafe-argument': 'off',
  '@typescript-eslint/no-unsafe-return': 'off',
  '@typescript-eslint/no-unsafe-call': 'off',
};

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', '**/node_modules/**', 'bench/results/**', 'test/readme/.blocks/**', '**/*.cjs', 'src/dashboard/static/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The log serializer and the OTLP JSON encoder take values of any shape on purpose: they walk
    // whatever the caller logged or recorded and stringify what they meet.
    files: ['src/log/serialize.ts', 'src/otlp/json.ts'],
    rules: {
      ...UNKNOWN_SHAPES,
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // Tests parse what the code wrote (log lines, OTLP request bodies, health and metrics
    // responses) and assert on its fields: typing every parsed payload would add casts, not checks
    // (an unexpected shape already fails the assertion). Stringification rules stay on.
    files: ['test/**'],
    rules: UNKNOWN_SHAPES,
  },
  {
    // Scripts and benchmarks are plain ESM for Node: linted without type information.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
);
