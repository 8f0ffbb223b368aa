// The npm package as users get it: packed, installed into an empty prefix without a registry,
// and run as `deptool` and through `npx`, from a directory outside the repository.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { PACKAGE_FILES } from '../../scripts/release.js';
import { tempDir } from '../helpers/write-tree.js';

const ROOT = resolve(import.meta.dirname, '../..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** npm with nothing of this machine's: its own cache and home, no registry, no update check. */
function npmEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: dir,
    npm_config_cache: join(dir, 'npm-cache'),
    npm_config_userconfig: join(dir, 'npmrc'),
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Ran {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function ok(result: Ran, what: string): string {
  assert.equal(result.status, 0, `${what} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

test('the bundled CLI imports nothing but Node built-ins, so the package needs no dependencies', async () => {
  // esbuild parses the bundle as it parsed the sources: every import and import() in it. The
  // CommonJS modules inside call require() through esbuild's __require, with literal names.
  const source = readFileSync(join(ROOT, 'dist', 'cli.js'), 'utf8');
  const imported: string[] = [...source.matchAll(/\b__require\("([^"]+)"\)/g)].map((match) => match[1] ?? '');
  assert.ok(imported.includes('crypto'), 'no __require("crypto") in the bundle: how does scripts/build.mjs bundle CommonJS now?');
  await build({
    stdin: { contents: source, resolveDir: join(ROOT, 'dist'), sourcefile: 'cli.js' },
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    plugins: [
      {
        name: 'record-imports',
        setup(plugin) {
          plugin.onResolve({ filter: /.*/ }, (args) => {
            imported.push(args.path);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  assert.ok(imported.includes('node:fs'), `the bundle's imports were not all seen: ${imported.join(', ')}`);
  assert.deepEqual(imported.filter((specifier) => !isBuiltin(specifier)), []);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: object; private?: boolean };
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}), [], 'everything is bundled: dependencies belong in devDependencies');
  assert.equal(pkg.private, undefined);
});

test('npm pack, npm install -g of the tarball into an empty prefix, then deptool --version and plan on the example', async (t) => {
  const dir = await tempDir(t);
  const env = npmEnv(dir);
  const packed = JSON.parse(ok(run('npm', ['pack', '--json', '--pack-destination', dir], ROOT, env), 'npm pack')) as [
    { filename: string; files: { path: string }[] },
  ];
  assert.deepEqual(packed[0].files.map((file) => file.path).sort(), [...PACKAGE_FILES]);
  const tarball = join(dir, packed[0].filename);

  const prefix = join(dir, 'prefix');
  ok(run('npm', ['install', '--global', '--prefix', prefix, tarball], dir, env), 'npm install -g of the tarball');
  const bin = join(prefix, 'bin', 'deptool');
  assert.ok(lstatSync(bin).isSymbolicLink());
  assert.equal(readlinkSync(bin), '../lib/node_modules/deptool/dist/cli.js');
  assert.equal(statSync(bin).mode & 0o111, 0o111, 'the installed command is executable by everyone');
  assert.equal(readFileSync(bin, 'utf8').split('\n')[0], '#!/usr/bin/env node');

  // A user's shell: the installed command by its path, with node on PATH and no node_modules around.
  const work = join(dir, 'work');
  mkdirSync(work);
  const user = { PATH: env.PATH, HOME: work, NO_COLOR: '1' };
  assert.equal(ok(run(bin, ['--version'], work, user), 'deptool --version'), `deptool ${VERSION}\n`);

  cpSync(join(ROOT, 'examples', 'prod'), join(work, 'prod'), { recursive: true });
  ok(run(bin, ['init', 'prod'], work, user), 'deptool init prod');
  const text = ok(run(bin, ['plan'], work, user), 'deptool plan');
  assert.match(text, /^webserver\b/m);
  assert.match(text, /\badd backup\b/);
  assert.match(text, /\badd site\b/);
  assert.match(text, /\+ public\/index\.html\b/);
  const plan = JSON.parse(ok(run(bin, ['plan', '--json'], work, user), 'deptool plan --json')) as {
    cluster: string;
    hosts: { host: string; apps: { app: string; action: string }[] }[];
  };
  assert.equal(plan.cluster, 'prod');
  assert.deepEqual(
    plan.hosts.map((host) => [host.host, host.apps.map((app) => `${app.action} ${app.app}`)]),
    [['webserver', ['add backup', 'add site']]],
  );
});

test('npx runs the packed CLI without installing it', async (t) => {
  const dir = await tempDir(t);
  const env = npmEnv(dir);
  const packed = JSON.parse(ok(run('npm', ['pack', '--json', '--pack-destination', dir], ROOT, env), 'npm pack')) as [{ filename: string }];
  const work = join(dir, 'work');
  mkdirSync(work);
  const result = run('npx', ['--yes', `--package=${join(dir, packed[0].filename)}`, 'deptool', '--version'], work, env);
  assert.equal(ok(result, 'npx deptool --version'), `deptool ${VERSION}\n`);
});
