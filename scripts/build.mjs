// Bundles the CLI into dist/ with esbuild; one build for every entry point.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * ssh2 loads two optional native addons (its crypto binding and cpu-features) inside
 * try/catch and falls back to pure JS. A bundle cannot carry .node files, and whether
 * node_modules beside dist/ happens to hold built ones must not change what runs: both
 * requires resolve to a module that throws, so the bundle is always pure JS.
 */
const noNativeAddons = {
  name: 'no-native-addons',
  setup(build) {
    build.onResolve({ filter: /\.node$|^cpu-features$/ }, (args) => ({ path: args.path, namespace: 'no-native-addon' }));
    build.onLoad({ filter: /.*/, namespace: 'no-native-addon' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not bundled; using pure JS`)});`,
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/action/index.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: false,
  // Whitespace and syntax only: names stay readable in stack traces; loading is ~40 ms faster.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  // Prefer ES module builds: jsonc-parser's UMD main hides its requires from the bundler.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  // The on-host agent travels inside the bundle (see src/deploy/agent-script.ts).
  define: {
    __DEPTOOL_AGENT_SCRIPT__: JSON.stringify(readFileSync('agent/deptool-agent.sh', 'utf8')),
    __DEPTOOL_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version),
    // CommonJS dependencies (ssh2) use __dirname and __filename, which ES modules lack; the
    // banner provides them under names no bundled module can declare.
    __dirname: '__deptoolDirname',
    __filename: '__deptoolFilename',
  },
  plugins: [noNativeAddons],
  // Some dependencies are CommonJS and call require() for Node built-ins.
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __deptoolCreateRequire } from 'node:module';",
      "import { fileURLToPath as __deptoolFileURLToPath } from 'node:url';",
      'const require = __deptoolCreateRequire(import.meta.url);',
      'const __deptoolFilename = __deptoolFileURLToPath(import.meta.url);',
      "const __deptoolDirname = __deptoolFilename.slice(0, __deptoolFilename.lastIndexOf('/'));",
    ].join('\n'),
  },
});
