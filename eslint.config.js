// ESLint: typescript-eslint's recommended rules, plus the project's layering (engineering.md,
// "Layout"): only lib/platform touches the extension APIs, and a layer imports only the layers
// below it. `tests/unit/architecture.test.ts` proves each rule fires.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of `lib/`, lowest first. A folder may import its own files and any folder of a lower
 * rank; a folder of the same or a higher rank is refused.
 */
export const LAYERS = [
  ['domain', 'async', 'encoding', 'config', 'webmail'],
  ['platform', 'matching', 'db', 'messaging'],
  ['auth'],
  ['http'],
  ['crm', 'providers'],
  ['sync'],
  ['background'],
];

/** A `no-restricted-imports` pattern for the given `lib/` folders, relative or through `@/lib/`. */
function folders(names, message) {
  return { regex: `(^|/)(${names.join('|')})(/|$)`, message };
}

const extensionApiMessage = 'Only lib/platform touches the extension APIs (engineering.md, "Platform adapter").';
const extensionApiImports = [
  { name: 'wxt/browser', message: extensionApiMessage },
  { name: 'wxt/utils/storage', message: extensionApiMessage },
];

function layerRules(rank) {
  const self = LAYERS[rank];
  return self.map((name) => {
    const refused = LAYERS.slice(rank).flat().filter((other) => other !== name);
    return {
      files: [`lib/${name}/**/*.{ts,tsx}`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: name === 'platform' ? [] : extensionApiImports,
            patterns: refused.length ? [folders(refused, `lib/${name} may not import ${refused.join(', ')}: layers import downward only.`)] : [],
          },
        ],
      },
    };
  });
}

export default tseslint.config(
  { ignores: ['.output/**', '.wxt/**', 'node_modules/**', 'test-results/**', 'bench-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // A failure is never swallowed: `bestEffort` records what failed (issue 8 §5).
  {
    files: ['lib/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}', 'entrypoints/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          // .catch(() => …), .catch(function () {…}), and a .then whose rejection handler takes no error
          "CallExpression[callee.property.name='catch'] > :matches(ArrowFunctionExpression, FunctionExpression).arguments[params.length=0]",
          "CallExpression[callee.property.name='then'][arguments.length=2] > :matches(ArrowFunctionExpression, FunctionExpression).arguments:nth-child(2)[params.length=0]",
        ].map((selector) => ({
          selector,
          message: 'A rejection handler that ignores its error swallows a failure: use bestEffort(what, step) from lib/async, or handle the error.',
        })),
      ],
    },
  },
  // Extension APIs, outside lib/platform: neither the globals nor WXT's wrappers.
  {
    files: ['lib/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}', 'entrypoints/**/*.{ts,tsx}'],
    ignores: ['lib/platform/**'],
    rules: {
      'no-restricted-globals': ['error', { name: 'chrome', message: extensionApiMessage }, { name: 'browser', message: extensionApiMessage }],
      'no-restricted-imports': ['error', { paths: extensionApiImports }],
    },
  },
  ...LAYERS.flatMap((_, rank) => layerRules(rank)),
  // Node scripts and the test suites.
  { files: ['**/*.mjs', 'scripts/**', '.ci/**'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  {
    files: ['tests/**/*.ts'],
    rules: {
      // Tests read answers the OpenAPI contract has already vouched for.
      '@typescript-eslint/no-explicit-any': 'off',
      // Playwright fixtures take their dependencies as a destructured first argument, even none.
      'no-empty-pattern': 'off',
    },
  },
  // The UI talks to the background by messages; it never holds a token or a provider client.
  {
    files: ['components/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: extensionApiImports,
          patterns: [folders(['background', 'sync', 'http', 'auth', 'providers', 'crm', 'db'], 'The UI reaches the background through lib/messaging only.')],
        },
      ],
    },
  },
);
