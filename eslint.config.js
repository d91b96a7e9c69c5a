import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const banned = (names, message) => names.map((name) => ({ group: [name, `${name}/*`], message }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'crd-schemas/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-throw-literal': 'error',
      // Prettier wraps code at 140 columns; what it cannot wrap (long strings, test names, regexes) is allowed.
      'max-len': [
        'error',
        {
          code: 140,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
          ignoreUrls: true,
          ignoreComments: false,
        },
      ],
    },
  },
  {
    files: ['src/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '^(?!zod$|croner$|\\./|node:crypto$).*', message: 'api/ imports only zod (and croner, for cron syntax).' }],
        },
      ],
    },
  },
  {
    files: ['src/machines/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...banned(['dockerode', 'undici', 'pino'], 'machines/ hold decisions, not I/O.'),
            { group: ['node:fs', 'node:fs/*', 'fs', 'fs/*'], message: 'machines/ do no file I/O.' },
            {
              group: ['**/controller/**', '**/backends/docker/**', '**/backends/mesos/**'],
              message: 'machines/ see only api/ and type-only ports.',
            },
            { group: ['**/backends/ports.js'], allowTypeImports: true, message: 'machines/ import ports as types only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/backends/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/machines/**', '**/controller/**', '**/cli/**', '**/gitops/**'],
              message: 'backends import their SDK, ports and api only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/secrets/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/machines/**', '**/controller/**', '**/cli/**', '**/gitops/**', '**/backends/**', 'dockerode', 'undici'],
              message: 'secrets/ is a leaf: api/ and node only, usable by every other module.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/policy/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/machines/**', '**/controller/**', '**/cli/**', '**/gitops/**', '**/backends/**', 'dockerode', 'undici'],
              message: 'policy/ is shared by the controller and the backends: api/, secrets/ and node only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The dashboard's one script runs in the browser.
    files: ['src/web/static/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
  {
    files: ['src/web/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/backends/**', '**/machines/**', 'dockerode', 'undici'],
              message:
                'web/ is read-only: api/, manifest/, secrets/, the journal readers and the job-view loader; never backends/ or machines/.',
            },
            { group: ['**/controller/**'], message: 'web/ reads the journal through state/, never the controller.' },
            { regex: 'gitops/(?!sync-status\\.js$)', message: 'web/ reads the git sync state (gitops/sync-status.js) only.' },
          ],
        },
      ],
    },
  },
  {
    // The CLI and the git sync read the state dir through state/ and manifests through manifest/; they never load
    // the controller or the job machine (the controller runs only through main.ts, loaded on demand).
    files: ['src/cli/**/*.ts', 'src/gitops/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/controller/**', '**/machines/**'],
              message: 'cli/ and gitops/ import state/, manifest/ and api/, never controller/ or machines/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/state/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/controller/**', '**/machines/**', '**/cli/**', '**/gitops/**', '**/backends/**', 'xstate', 'dockerode', 'undici'],
              message: 'state/ (journal, lock, state dir) is read by the CLI: api/, fs/ and node only.',
            },
          ],
        },
      ],
    },
  },
  {
    // One way to parse manifest YAML: within the read limits (size, depth, items) checked before any node is built.
    files: ['src/**/*.ts'],
    ignores: ['src/manifest/parse-yaml-bounded.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='yaml'] ImportSpecifier[imported.name=/^(parse|parseDocument|parseAllDocuments)$/]",
          message: 'Parse YAML with manifest/parse-yaml-bounded.ts, which checks the read limits before building anything.',
        },
        {
          selector: 'ImportDeclaration[source.value=/controller\\/(watch-folder|read-manifest)/]',
          message:
            'List and read manifests with manifest/find-manifest-files.ts and manifest/read-manifest-file.ts (the one walker and reader).',
        },
      ],
    },
  },
  {
    files: ['src/schedules/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:fs', 'node:fs/*', 'fs', 'fs/*', 'dockerode', 'undici'],
              message: 'schedules/ decides what runs when; it does no I/O.',
            },
            {
              group: ['**/controller/**', '**/backends/**', '**/cli/**', '**/gitops/**'],
              message: 'schedules/ sees only api/ (and croner).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
