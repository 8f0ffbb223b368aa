// The release script's decisions (tags, versions, changelog notes, package checks, the major
// tag) and its dry run against this repository, offline, as CI runs it on every push.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import {
  CLI_ASSET,
  ReleaseError,
  changelogSection,
  checkVersion,
  movesMajorTag,
  packageProblems,
  packedFilesProblems,
  parseOptions,
  parseTag,
  releaseNotes,
  releaseSteps,
} from '../../scripts/release.js';
import { tempDir } from '../helpers/write-tree.js';

const ROOT = resolve(import.meta.dirname, '../..');

const CHANGELOG = `# Changelog

Intro text.

## [Unreleased]

### Fixed

- Something after 1.2.0.

## [1.2.0] - 2026-03-01

### Added

- Canary rollouts.

### Fixed

- A typo.

## [1.1.0]

## 1.0.0 - 2026-01-01

- First.

[Unreleased]: https://github.com/deptool/deptool/compare/v1.2.0...HEAD
[1.2.0]: https://github.com/deptool/deptool/compare/v1.1.0...v1.2.0
`;

function releaseError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ReleaseError, String(error));
    return error.message;
  }
  assert.fail('expected a ReleaseError');
}

describe('parseTag', () => {
  test('a release tag gives its version and major tag', () => {
    assert.deepEqual(parseTag('v1.2.3'), { tag: 'v1.2.3', version: '1.2.3', major: 'v1', prerelease: false });
    assert.deepEqual(parseTag('refs/tags/v0.10.0'), { tag: 'v0.10.0', version: '0.10.0', major: 'v0', prerelease: false });
    assert.deepEqual(parseTag('v2.0.0-rc.1'), { tag: 'v2.0.0-rc.1', version: '2.0.0-rc.1', major: 'v2', prerelease: true });
  });

  test('anything else is refused, saying what a release tag is', () => {
    for (const bad of ['1.2.3', 'v1.2', 'v1', 'v01.2.3', 'v1.2.3.4', 'v1.2.3-', 'v1.2.3+build', 'release-1.2.3', 'v1.2.3-rc.01']) {
      assert.match(releaseError(() => parseTag(bad)), /is not a release tag: release tags are vX\.Y\.Z/, bad);
    }
  });
});

test('the tag must be package.json version, and the error says how to fix it', () => {
  checkVersion(parseTag('v1.2.3'), '1.2.3');
  assert.equal(
    releaseError(() => checkVersion(parseTag('v1.2.4'), '1.2.3')),
    `The tag v1.2.4 does not match package.json's version 1.2.3: set "version": "1.2.4" in package.json, move the changelog's entries into ## [1.2.4], and tag that commit.`,
  );
});

describe('changelogSection', () => {
  test('takes a section up to the next one, with its subsections', () => {
    assert.deepEqual(changelogSection(CHANGELOG, '1.2.0'), {
      heading: '[1.2.0] - 2026-03-01',
      date: '2026-03-01',
      body: '### Added\n\n- Canary rollouts.\n\n### Fixed\n\n- A typo.',
    });
    assert.equal(changelogSection(CHANGELOG, 'unreleased')?.body, '### Fixed\n\n- Something after 1.2.0.');
  });

  test('the last section ends before the link definitions; an undated or bracketless heading is found too', () => {
    assert.deepEqual(changelogSection(CHANGELOG, '1.0.0'), { heading: '1.0.0 - 2026-01-01', date: '2026-01-01', body: '- First.' });
    assert.deepEqual(changelogSection(CHANGELOG, '1.1.0'), { heading: '[1.1.0]', date: undefined, body: '' });
  });

  test('a version without a section, or only mentioned in text, has none', () => {
    assert.equal(changelogSection(CHANGELOG, '1.3.0'), undefined);
    assert.equal(changelogSection(CHANGELOG, '1.2'), undefined);
    assert.equal(changelogSection('Intro mentioning [1.2.0] - 2026-03-01\n', '1.2.0'), undefined);
  });
});

describe('releaseNotes', () => {
  test("are the version's dated section", () => {
    assert.deepEqual(releaseNotes(CHANGELOG, parseTag('v1.2.0'), 'strict'), { notes: changelogSection(CHANGELOG, '1.2.0')?.body, warning: undefined });
  });

  test('a tag without its section is refused; a dry run falls back to [Unreleased] and warns', () => {
    assert.equal(
      releaseError(() => releaseNotes(CHANGELOG, parseTag('v1.3.0'), 'strict')),
      'CHANGELOG.md has no section [1.3.0] for the release notes of v1.3.0: move the entries of ## [Unreleased] into a section "## [1.3.0] - YYYY-MM-DD" (Keep a Changelog).',
    );
    const dry = releaseNotes(CHANGELOG, parseTag('v1.3.0'), 'allow-unreleased');
    assert.equal(dry.notes, '### Fixed\n\n- Something after 1.2.0.');
    assert.match(dry.warning ?? '', /^CHANGELOG\.md has no section \[1\.3\.0\] yet, so these notes are \[Unreleased\]'s; a tag v1\.3\.0 would be refused until/);
    assert.match(releaseError(() => releaseNotes('# Changelog\n\n## [Unreleased]\n', parseTag('v1.3.0'), 'allow-unreleased')), /no section \[1\.3\.0\]/);
  });

  test('an empty or undated section is refused', () => {
    assert.equal(releaseError(() => releaseNotes(CHANGELOG, parseTag('v1.1.0'), 'strict')), `CHANGELOG.md's section "[1.1.0]" is empty: say what changed in 1.1.0.`);
    assert.equal(
      releaseError(() => releaseNotes('## [1.1.0]\n\n- Things.\n', parseTag('v1.1.0'), 'strict')),
      `CHANGELOG.md's section "[1.1.0]" has no release date: write it as "## [1.1.0] - YYYY-MM-DD".`,
    );
  });
});

describe('packageProblems', () => {
  const good = {
    name: 'deptool',
    version: '1.0.0',
    bin: { deptool: 'dist/cli.js' },
    repository: { type: 'git', url: 'git+https://github.com/deptool/deptool.git' },
    devDependencies: { ssh2: '1.17.0' },
  };

  test('none for a bundled, public package of this repository', () => {
    assert.deepEqual(packageProblems(good, 'deptool/deptool'), []);
    assert.deepEqual(packageProblems({ ...good, repository: 'https://github.com/deptool/deptool' }, 'deptool/deptool'), []);
    assert.deepEqual(packageProblems(good, undefined), []);
  });

  test('private, runtime dependencies, a wrong bin and a repository that provenance would refuse', () => {
    assert.deepEqual(packageProblems({ ...good, private: true, bin: 'cli.js', dependencies: { ssh2: '1', diff: '9' }, repository: undefined }, undefined), [
      'package.json says "private": true, which npm refuses to publish: remove it.',
      'package.json must have "bin": { "deptool": "dist/cli.js" }: it is the command users install.',
      'package.json has "dependencies" (ssh2, diff): esbuild bundles every module into dist/cli.js, so move them to "devDependencies"; an install of the package must need nothing from the registry.',
      'package.json has no "repository": npm publish --provenance checks it against the repository the workflow runs in.',
    ]);
    assert.deepEqual(packageProblems(good, 'someone/deptool'), [
      "package.json's repository git+https://github.com/deptool/deptool.git is not this repository, someone/deptool: npm publish --provenance would refuse it.",
    ]);
    assert.equal(packageProblems(good, 'deptool/deptool-x').length, 1, 'a repository whose name extends ours is another one');
  });

  test("this repository's package.json passes", () => {
    assert.deepEqual(packageProblems(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as object, 'deptool/deptool'), []);
  });
});

test('the tarball must hold exactly the CLI, README, LICENSE, CHANGELOG.md and package.json', () => {
  assert.deepEqual(packedFilesProblems(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/cli.js']), []);
  assert.deepEqual(packedFilesProblems(['package.json', 'README.md', 'LICENSE', 'dist/cli.js', 'dist/index.js']), [
    `the tarball lacks CHANGELOG.md: list it in package.json's "files".`,
    `the tarball holds dist/index.js, which is not meant to be published: narrow package.json's "files".`,
  ]);
});

describe('movesMajorTag', () => {
  const tags = ['v1.0.0', 'v1.1.0', 'v1.2.0-rc.1', 'v1.10.0', 'v2.0.0', 'v1', 'v2', 'not-a-tag'];

  test('to the highest release of its major, comparing numbers, not text', () => {
    assert.equal(movesMajorTag(parseTag('v1.10.1'), tags), true);
    assert.equal(movesMajorTag(parseTag('v1.11.0'), tags), true);
    assert.equal(movesMajorTag(parseTag('v2.0.1'), tags), true);
    assert.equal(movesMajorTag(parseTag('v1.10.0'), tags), true, 'a re-run of the highest release moves it again');
    assert.equal(movesMajorTag(parseTag('v3.0.0'), []), true);
  });

  test('never back to a patch of an older minor, nor to a prerelease', () => {
    assert.equal(movesMajorTag(parseTag('v1.9.5'), tags), false);
    assert.equal(movesMajorTag(parseTag('v1.1.1'), tags), false);
    assert.equal(movesMajorTag(parseTag('v1.11.0-rc.1'), tags), false);
  });
});

describe('releaseSteps', () => {
  const facts = {
    tag: parseTag('v1.2.0'),
    commit: 'c0ffee',
    tarball: '/out/deptool-1.2.0.tgz',
    assets: ['/out/deptool.mjs', '/out/deptool-1.2.0.tgz', '/out/SHA256SUMS'],
    notesFile: '/out/notes.md',
    releaseExists: false,
    published: false,
    moveMajor: true,
  };

  test('release, publish with provenance, then move the major tag', () => {
    assert.deepEqual(releaseSteps(facts), [
      {
        title: 'create the GitHub release v1.2.0',
        argv: ['gh', 'release', 'create', 'v1.2.0', '--verify-tag', '--title', 'v1.2.0', '--notes-file', '/out/notes.md', ...facts.assets],
      },
      {
        title: 'publish 1.2.0 to npm',
        argv: ['npm', 'publish', '/out/deptool-1.2.0.tgz', '--provenance', '--access', 'public'],
        dryRunArgv: ['npm', 'publish', '/out/deptool-1.2.0.tgz', '--dry-run'],
      },
      { title: "move v1 to v1.2.0 for the Action's users", argv: ['git', 'tag', '--force', 'v1', 'c0ffee'] },
      { title: 'push v1', argv: ['git', 'push', '--force', 'origin', 'refs/tags/v1'] },
    ]);
  });

  test('a re-run replaces the assets and skips what is published; a prerelease goes to next and moves no tag', () => {
    assert.deepEqual(releaseSteps({ ...facts, releaseExists: true, published: true, moveMajor: false }), [
      { title: 'upload the assets to the existing GitHub release v1.2.0', argv: ['gh', 'release', 'upload', 'v1.2.0', ...facts.assets, '--clobber'] },
    ]);
    const pre = releaseSteps({ ...facts, tag: parseTag('v1.3.0-rc.1'), moveMajor: false });
    assert.deepEqual(
      pre.map((step) => step.argv),
      [
        ['gh', 'release', 'create', 'v1.3.0-rc.1', '--verify-tag', '--title', 'v1.3.0-rc.1', '--notes-file', '/out/notes.md', '--prerelease', ...facts.assets],
        ['npm', 'publish', '/out/deptool-1.2.0.tgz', '--provenance', '--access', 'public', '--tag', 'next'],
      ],
    );
  });
});

test('options: a release needs a tag, a dry run does not', () => {
  assert.deepEqual(parseOptions(['--dry-run']), { dryRun: true, tag: undefined, out: undefined, offline: false });
  assert.deepEqual(parseOptions(['--tag', 'v1.0.0', '--out', 'o']), { dryRun: false, tag: 'v1.0.0', out: 'o', offline: false });
  assert.match(releaseError(() => parseOptions([])), /A release needs --tag vX\.Y\.Z/);
  assert.match(releaseError(() => parseOptions(['--dry-run', '--tag'])), /--tag needs a value/);
  assert.match(releaseError(() => parseOptions(['--publish'])), /Unknown argument '--publish'/);
});

function runRelease(args: readonly string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/release.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // No registry: the dry run must pass without one (npm publish --dry-run included).
    env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_update_notifier: 'false', GITHUB_REPOSITORY: 'deptool/deptool' },
  });
}

test('the dry run packs the release assets and publishes nothing', async (t) => {
  const out = await tempDir(t);
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const result = runRelease(['--dry-run', '--offline', '--out', out]);
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, new RegExp(`^Dry run of v${version.replace(/\./g, '\\.')} passed; nothing was published\\.$`, 'm'));
  assert.match(result.stdout, /^would create the GitHub release /m);
  assert.match(result.stdout, /^ {2}\$ npm publish \S+\.tgz --dry-run$/m);
  assert.deepEqual(readdirSync(out).sort(), ['SHA256SUMS', CLI_ASSET, `deptool-${version}.tgz`, 'notes.md'].sort());
  assert.ok(readFileSync(join(out, CLI_ASSET)).equals(readFileSync(join(ROOT, 'dist', 'cli.js'))));
  const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8');
  for (const file of [CLI_ASSET, `deptool-${version}.tgz`]) {
    assert.ok(sums.includes(`${createHash('sha256').update(readFileSync(join(out, file))).digest('hex')}  ${file}\n`), file);
  }
  const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
  const notes = changelogSection(changelog, version) ?? changelogSection(changelog, 'Unreleased');
  assert.equal(readFileSync(join(out, 'notes.md'), 'utf8'), `${notes?.body}\n`);
});

test('a dry run of a tag that is not the package version fails before packing anything', async (t) => {
  const out = await tempDir(t);
  const result = runRelease(['--dry-run', '--offline', '--tag', 'v99.0.0', '--out', out]);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /^release: The tag v99\.0\.0 does not match package\.json's version /m);
  assert.deepEqual(readdirSync(out), []);
});
