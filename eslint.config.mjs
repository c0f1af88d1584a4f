// @ts-check
/**
 * ESLint for the whole tree (`npm run lint`): typescript-eslint's type-aware recommended rules for
 * the TypeScript in codec/, handshake/, src/, test/, bench/ and fuzz/, ESLint's recommended rules for
 * the CommonJS scripts (bin/, bench/run.js, fuzz/run.js, jest.config.js, the config files). Formatting is
 * Prettier's job (`npm run format:check`): eslint-config-prettier, last, turns off every rule
 * that could disagree with it.
 */
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'docs/api/', 'coverage/', 'bench/.build/', 'fuzz/corpus/', 'fuzz/findings/', '**/node_modules/'] },

  js.configs.recommended,

  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      // Each file is checked with the tsconfig.json nearest to it (the root one, or bench/'s).
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // As tsc's noUnusedParameters: a parameter kept for its position is named `_x`.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // The numeric enums here (codec/tags.ts, the EPMD and handshake codes, the control message
      // operations) are the protocol's byte values, compared with bytes read off the wire. This
      // rule wants every such byte cast to the enum first, which says nothing the comparison does
      // not.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      // As only-throw-error does by default: passing on a value we did not make (a caught error,
      // an AbortSignal's reason, both `unknown`/`any`) is fine; rejecting with a literal is not.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },

  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },

  // The library writes nothing to the console: it reports through return values, errors and the
  // streams it is handed. The CLI, the benchmarks and the fuzzer print by design.
  {
    files: ['**/*.ts', '**/*.js'],
    ignores: ['bench/**', 'bin/**', 'fuzz/**', 'src/cli.ts', 'src/commands/**'],
    rules: { 'no-console': 'error' },
  },

  prettier,
);
