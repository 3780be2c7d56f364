import eslint from '@eslint/js'
import jest from 'eslint-plugin-jest'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'lib/', 'coverage/', 'node_modules/', '.test-bundle/', 'reports/', '.stryker-tmp*/'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      // tsconfig has noUncheckedIndexedAccess: `x[i]!` after a bounds check is the honest way to say "present".
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // The strict preset's options, except numbers: counts, ms and status codes go into messages all the
      // time and `${n}` prints them well. undefined, null, booleans, objects and any stay errors.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allowNumber: true,
          allowAny: false,
          allowBoolean: false,
          allowNever: false,
          allowNullish: false,
          allowRegExp: false
        }
      ],
      // `resolve => setTimeout(resolve, ms)` and `x => set.add(x)` are plain callbacks, not confused returns.
      // `return this.end('x')` in a function that returns nothing ends it early; that reads plainly.
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }
      ],
      // @github/local-action's stand-in for @actions/core has no ExitCode: `npm run local-action` would break.
      'no-restricted-properties': [
        'error',
        {
          object: 'core',
          property: 'ExitCode',
          message: "Use ExitCode from src/action-io/guards.ts (local-action's @actions/core lacks it)."
        }
      ]
    }
  },
  {
    files: ['__tests__/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      // `expect(mock.fn).toHaveBeenCalled()` passes a method unbound on purpose; jest's own
      // `jest/unbound-method` understands that, the generic rule does not.
      '@typescript-eslint/unbound-method': 'off',
      'jest/unbound-method': 'error',
      // Helpers named expect…/…Failure assert inside; a test that calls one has assertions.
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*', '*Failure'] }],
      // Fakes implement the async BatchApi/FilesApi: `async` is what turns their `throw` into a rejection,
      // as the real client does, even when the body awaits nothing.
      '@typescript-eslint/require-await': 'off',
      // Tests read back JSON the action wrote (outputs, JSONL lines, request bodies) and assert on it;
      // typing every parsed value first would only restate the expectation.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off'
    }
  },
  {
    // Table-driven end-to-end cases keep their assertions in a `check(run)` beside the case; the one
    // test body calls it. Those expects do run inside a test, and a case without `check` has none.
    files: ['__tests__/e2e/**/*.ts'],
    rules: { 'jest/no-standalone-expect': 'off', 'jest/no-conditional-expect': 'off' }
  },
  {
    // Config files and the CI scripts are plain JavaScript outside the TypeScript project.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly' }
    }
  }
)
