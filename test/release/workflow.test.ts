// release.yml releases a tag after the tests CI runs, through scripts/release.ts, and CI runs
// the same script's dry run on every push.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

interface Workflow {
  readonly on: { readonly push?: { readonly tags?: readonly string[]; readonly branches?: readonly string[] } };
  readonly permissions?: Record<string, string>;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress': boolean };
  readonly jobs: Record<string, { readonly permissions?: Record<string, string>; readonly steps: readonly Step[] }>;
}

function workflow(path: string): Workflow {
  return parse(readFileSync(join(ROOT, path), 'utf8'), { prettyErrors: true, uniqueKeys: true }) as Workflow;
}

const RELEASE = workflow('.github/workflows/release.yml');
const CI = workflow('.github/workflows/ci.yml');

function steps(spec: Workflow): Step[] {
  return Object.values(spec.jobs).flatMap((job) => job.steps);
}

test('a vX.Y.Z tag (or a prerelease vX.Y.Z-*) starts a release, one at a time and never cancelled', () => {
  assert.deepEqual(RELEASE.on, { push: { tags: ['v[0-9]+.[0-9]+.[0-9]+', 'v[0-9]+.[0-9]+.[0-9]+-*'] } });
  assert.deepEqual(RELEASE.concurrency, { group: 'release', 'cancel-in-progress': false });
});

test('the release job alone may write contents and sign provenance', () => {
  assert.deepEqual(RELEASE.permissions, { contents: 'read' });
  assert.deepEqual(Object.values(RELEASE.jobs).map((job) => job.permissions), [{ contents: 'write', 'id-token': 'write' }]);
});

test('the release runs the tests exactly as CI does, then the release script with the pushed tag and the npm token', () => {
  const runs = steps(RELEASE).flatMap((step) => (step.run ? [step.run] : []));
  const ciTest = CI.jobs.test?.steps.find((step) => step.run?.includes('.ci/run'));
  assert.ok(ciTest?.run, 'ci.yml runs .ci/run');
  const tests = runs.indexOf(ciTest.run);
  const release = runs.findIndex((run) => run.startsWith('node --import tsx scripts/release.ts --tag "$GITHUB_REF_NAME"'));
  assert.ok(tests !== -1 && release > tests, `the tests, then the release: ${runs.join(' | ')}`);
  const step = steps(RELEASE).find((s) => s.run === runs[release]);
  assert.deepEqual(step?.env, { GH_TOKEN: '${{ github.token }}', NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}' });
  // The .npmrc that reads NODE_AUTH_TOKEN is written after the tests, right before the release.
  const all = steps(RELEASE);
  const registry = all.findIndex((s) => s.uses?.startsWith('actions/setup-node@') && s.with?.['registry-url'] === 'https://registry.npmjs.org');
  assert.ok(registry > all.findIndex((s) => s.run === ciTest.run) && registry < all.findIndex((s) => s === step), 'setup-node with registry-url between the tests and the release');
  const checkout = steps(RELEASE).find((s) => s.uses?.startsWith('actions/checkout@'));
  assert.equal(checkout?.with?.['fetch-depth'], 0, 'every tag is fetched, to know whether the major tag moves');
});

test('CI runs the release script dry on every push, with the tags it needs', () => {
  const job = CI.jobs['release-dry-run'];
  assert.ok(job, 'ci.yml has a release-dry-run job');
  assert.ok(job.steps.some((step) => step.run?.startsWith('node --import tsx scripts/release.ts --dry-run')));
  assert.equal(job.steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['fetch-depth'], 0);
  assert.deepEqual(CI.on.push, { branches: ['main'] });
});

test("the example workflow and the README use the major tag the release of package.json's version moves", () => {
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const major = `v${version.split('.')[0]}`;
  for (const path of ['examples/workflows/deptool.yml', 'README.md', '.github/workflows/release.yml']) {
    const refs = [...readFileSync(join(ROOT, path), 'utf8').matchAll(/deptool\/deptool@(v\d+)\b(?!\.)/g)].map((match) => match[1]);
    assert.ok(refs.length > 0, `${path} never names the action`);
    assert.deepEqual([...new Set(refs)], [major], path);
  }
});
