// Bundles the CLI into dist/ with esbuild; one build for every entry point.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  // Prefer ES module builds: jsonc-parser's UMD main hides its requires from the bundler.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  // Some dependencies are CommonJS and call require() for Node built-ins.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __deptoolCreateRequire } from 'node:module';\nconst require = __deptoolCreateRequire(import.meta.url);",
  },
});
