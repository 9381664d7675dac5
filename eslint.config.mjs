// ESLint flat config. Two sets of rules, as in Sanity's own projects:
// - the Studio's files (what sanity.config.ts bundles for the browser, and the CLI config) use
//   @sanity/eslint-config-studio, the config `sanity init` ships;
// - everything else (Node scripts, tests, migrations) uses typescript-eslint's recommended rules.
// Both aim at bugs, not style: formatting is Prettier's job (`npm run lint` runs both).
import js from '@eslint/js'
import studio from '@sanity/eslint-config-studio'
import {defineConfig, globalIgnores} from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const STUDIO_FILES = [
  'sanity.config.ts',
  'sanity.cli.ts',
  'schemas/**/*.ts',
  'scripts/studio/structure.ts',
  'scripts/studio/local.ts',
]

// A leading underscore marks a value that is deliberately unused.
const unusedVars = {
  args: 'after-used',
  argsIgnorePattern: '^_',
  varsIgnorePattern: '^_',
  caughtErrorsIgnorePattern: '^_',
  destructuredArrayIgnorePattern: '^_',
  ignoreRestSiblings: true,
}

export default defineConfig(
  globalIgnores([
    '**/node_modules/',
    'dist/',
    'studio-dist/',
    '.sanity/',
    '.data/',
    'test-results/',
    // generated
    'sanity.types.ts',
    'scripts/feeds/schemas/validators.generated.cjs',
  ]),

  {
    name: 'studio',
    files: STUDIO_FILES,
    extends: [studio],
    rules: {
      'typescript/no-unused-vars': ['warn', unusedVars],
    },
  },

  {
    name: 'node',
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    ignores: STUDIO_FILES,
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      globals: globals.node,
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', unusedVars],
    },
  },

  {
    name: 'tests',
    files: ['tests/**/*.ts', 'migrations/**/*.test.ts'],
    rules: {
      // Tests poke at parsed JSON and private shapes; `any` there is a convenience, not a bug.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
)
