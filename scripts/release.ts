// The release, as one script for two callers: .github/workflows/release.yml runs it on a
// vX.Y.Z tag, and CI runs it with --dry-run on every push, so that whatever would break a
// release (version, changelog, package contents, npm) fails before anyone pushes a tag.
//
// Usage: node --import tsx scripts/release.ts [--dry-run] [--tag vX.Y.Z] [--out DIR] [--offline]
//   --dry-run  check, pack and `npm publish --dry-run`; show the GitHub release and the tag move
//   --tag      the tag to release (default: v<version in package.json>, dry run only)
//   --out      where the tarball, the single-file CLI, SHA256SUMS and the notes go (default: a temp dir)
//   --offline  do not ask the registry whether the version is published (tests)
//
// The workflow builds, checks dist/ and runs the tests before this; this script never builds.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isEntryPoint } from '../src/entry.js';

/** A mistake that stops the release; its message says what to do. */
export class ReleaseError extends Error {}

export interface ReleaseTag {
  /** `v1.2.3` or `v1.2.3-rc.1`. */
  readonly tag: string;
  /** `1.2.3`: package.json's version and the CHANGELOG.md section. */
  readonly version: string;
  /** `v1`: the tag the Action's users follow; never moved by a prerelease. */
  readonly major: string;
  readonly prerelease: boolean;
}

const TAG = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?$/;

/** Parses `vX.Y.Z` (or `refs/tags/vX.Y.Z`, as GITHUB_REF holds it), with an optional `-prerelease`. */
export function parseTag(ref: string): ReleaseTag {
  const tag = ref.replace(/^refs\/tags\//, '');
  const match = TAG.exec(tag);
  if (!match) {
    throw new ReleaseError(`'${tag}' is not a release tag: release tags are vX.Y.Z (semantic versioning), optionally with a prerelease suffix (v1.2.0-rc.1).`);
  }
  return { tag, version: tag.slice(1), major: `v${match[1]}`, prerelease: match[4] !== undefined };
}

export function checkVersion(tag: ReleaseTag, packageVersion: string): void {
  if (packageVersion !== tag.version) {
    throw new ReleaseError(
      `The tag ${tag.tag} does not match package.json's version ${packageVersion}: set "version": "${tag.version}" in package.json, ` +
        `move the changelog's entries into ## [${tag.version}], and tag that commit.`,
    );
  }
}

export interface ChangelogSection {
  /** The heading's line, without `## `. */
  readonly heading: string;
  /** `YYYY-MM-DD` from `## [1.2.3] - 2026-01-31`, if there. */
  readonly date: string | undefined;
  /** The section's text, trimmed, without the heading and any link definitions after it. */
  readonly body: string;
}

/** The `## [label]` section of a Keep a Changelog file (label `1.2.3` or `Unreleased`), if any. */
export function changelogSection(changelog: string, label: string): ChangelogSection | undefined {
  const lines = changelog.split(/\r?\n/);
  const heading = /^## \[?([^\]\s]+)\]?(?:\s+-\s+(\d{4}-\d{2}-\d{2}))?.*$/;
  const start = lines.findIndex((line) => heading.exec(line)?.[1]?.toLowerCase() === label.toLowerCase());
  if (start === -1) return undefined;
  const next = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  const body = lines.slice(start + 1, next === -1 ? lines.length : next);
  // Link reference definitions ([1.2.3]: https://...) close the file, after the last section.
  while (body.length > 0 && /^\s*$|^\[[^\]]+\]:\s*\S/.test(body[body.length - 1] ?? '')) body.pop();
  const match = heading.exec(lines[start] ?? '');
  return { heading: (lines[start] ?? '').slice(3), date: match?.[2], body: body.join('\n').trim() };
}

export interface ReleaseNotes {
  readonly notes: string;
  /** Said when the notes are not the version's own section (a dry run before the changelog is ready). */
  readonly warning: string | undefined;
}

/**
 * The release notes: the version's section of CHANGELOG.md, dated and not empty. A dry run of
 * the version in package.json (no tag given) may fall back to [Unreleased], with a warning, as
 * every push between releases does; a tag never does.
 */
export function releaseNotes(changelog: string, tag: ReleaseTag, mode: 'strict' | 'allow-unreleased'): ReleaseNotes {
  const section = changelogSection(changelog, tag.version);
  const fix = `move the entries of ## [Unreleased] into a section "## [${tag.version}] - YYYY-MM-DD" (Keep a Changelog)`;
  if (!section) {
    const unreleased = changelogSection(changelog, 'Unreleased');
    if (mode === 'allow-unreleased' && unreleased && unreleased.body !== '') {
      return {
        notes: unreleased.body,
        warning: `CHANGELOG.md has no section [${tag.version}] yet, so these notes are [Unreleased]'s; a tag ${tag.tag} would be refused until you ${fix}.`,
      };
    }
    throw new ReleaseError(`CHANGELOG.md has no section [${tag.version}] for the release notes of ${tag.tag}: ${fix}.`);
  }
  if (section.body === '') throw new ReleaseError(`CHANGELOG.md's section "${section.heading}" is empty: say what changed in ${tag.version}.`);
  if (section.date === undefined) {
    throw new ReleaseError(`CHANGELOG.md's section "${section.heading}" has no release date: write it as "## [${tag.version}] - YYYY-MM-DD".`);
  }
  return { notes: section.body, warning: undefined };
}

interface PackageJson {
  readonly name?: unknown;
  readonly version?: unknown;
  readonly private?: unknown;
  readonly bin?: unknown;
  readonly repository?: unknown;
  readonly dependencies?: unknown;
}

/** What makes `npm publish --provenance` or an install from the tarball fail, each with what to do. */
export function packageProblems(pkg: PackageJson, githubRepository: string | undefined): string[] {
  const problems: string[] = [];
  if (pkg.private === true) problems.push('package.json says "private": true, which npm refuses to publish: remove it.');
  const bin = pkg.bin as Record<string, unknown> | undefined;
  if (bin?.deptool !== 'dist/cli.js') problems.push('package.json must have "bin": { "deptool": "dist/cli.js" }: it is the command users install.');
  if (pkg.dependencies !== undefined && Object.keys(pkg.dependencies as object).length > 0) {
    problems.push(
      `package.json has "dependencies" (${Object.keys(pkg.dependencies as object).join(', ')}): esbuild bundles every module into dist/cli.js, ` +
        'so move them to "devDependencies"; an install of the package must need nothing from the registry.',
    );
  }
  const url = typeof pkg.repository === 'object' && pkg.repository !== null ? (pkg.repository as { url?: unknown }).url : pkg.repository;
  if (typeof url !== 'string' || url === '') {
    problems.push('package.json has no "repository": npm publish --provenance checks it against the repository the workflow runs in.');
  } else if (githubRepository !== undefined && !new RegExp(`github\\.com[/:]${escapeRegExp(githubRepository)}(\\.git)?$`, 'i').test(url)) {
    problems.push(`package.json's repository ${url} is not this repository, ${githubRepository}: npm publish --provenance would refuse it.`);
  }
  return problems;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What the npm package holds: the bundled CLI and its papers. The Action's dist/index.js runs from git, not npm. */
export const PACKAGE_FILES = ['CHANGELOG.md', 'LICENSE', 'README.md', 'dist/cli.js', 'package.json'] as const;

export function packedFilesProblems(files: readonly string[]): string[] {
  const packed = new Set(files);
  return [
    ...PACKAGE_FILES.filter((file) => !packed.has(file)).map((file) => `the tarball lacks ${file}: list it in package.json's "files".`),
    ...files.filter((file) => !(PACKAGE_FILES as readonly string[]).includes(file)).map((file) => `the tarball holds ${file}, which is not meant to be published: narrow package.json's "files".`),
  ];
}

/**
 * Whether `vX` should move to this release: not for a prerelease, and not when a higher
 * X.y.z is already tagged (a patch of an older minor must not take the Action's users back).
 */
export function movesMajorTag(tag: ReleaseTag, existingTags: readonly string[]): boolean {
  if (tag.prerelease) return false;
  const ours = tag.version.split('.').map(Number);
  return !existingTags.some((other) => {
    const match = TAG.exec(other);
    if (!match || match[4] !== undefined || `v${match[1]}` !== tag.major) return false;
    const theirs = [Number(match[1]), Number(match[2]), Number(match[3])];
    const index = theirs.findIndex((part, i) => part !== ours[i]);
    return index !== -1 && (theirs[index] ?? 0) > (ours[index] ?? 0);
  });
}

/** The name of the single-file CLI on the release: constant, so .../releases/latest/download/deptool.mjs always works. */
export const CLI_ASSET = 'deptool.mjs';

export interface Step {
  readonly title: string;
  readonly argv: readonly string[];
  /** Run in a dry run instead of `argv`; without it, a dry run only shows `argv`. */
  readonly dryRunArgv?: readonly string[];
}

export interface StepFacts {
  readonly tag: ReleaseTag;
  readonly commit: string;
  readonly tarball: string;
  readonly assets: readonly string[];
  readonly notesFile: string;
  /** A re-run after a partial release: the release exists, so its assets are replaced. */
  readonly releaseExists: boolean;
  /** A re-run: this version is already on npm from this commit. */
  readonly published: boolean;
  readonly moveMajor: boolean;
}

/** The publishing steps, as data: the GitHub release, npm, then the major tag last, once the rest is out. */
export function releaseSteps(facts: StepFacts): Step[] {
  const { tag } = facts;
  const steps: Step[] = [
    facts.releaseExists
      ? { title: `upload the assets to the existing GitHub release ${tag.tag}`, argv: ['gh', 'release', 'upload', tag.tag, ...facts.assets, '--clobber'] }
      : {
          title: `create the GitHub release ${tag.tag}`,
          argv: ['gh', 'release', 'create', tag.tag, '--verify-tag', '--title', tag.tag, '--notes-file', facts.notesFile, ...(tag.prerelease ? ['--prerelease'] : []), ...facts.assets],
        },
  ];
  if (!facts.published) {
    steps.push({
      title: `publish ${tag.version} to npm${tag.prerelease ? ' under the dist-tag next' : ''}`,
      argv: ['npm', 'publish', facts.tarball, '--provenance', '--access', 'public', ...(tag.prerelease ? ['--tag', 'next'] : [])],
      dryRunArgv: ['npm', 'publish', facts.tarball, '--dry-run', ...(tag.prerelease ? ['--tag', 'next'] : [])],
    });
  }
  if (facts.moveMajor) {
    steps.push(
      { title: `move ${tag.major} to ${tag.tag} for the Action's users`, argv: ['git', 'tag', '--force', tag.major, facts.commit] },
      { title: `push ${tag.major}`, argv: ['git', 'push', '--force', 'origin', `refs/tags/${tag.major}`] },
    );
  }
  return steps;
}

interface Options {
  readonly dryRun: boolean;
  readonly tag: string | undefined;
  readonly out: string | undefined;
  readonly offline: boolean;
}

export function parseOptions(argv: readonly string[]): Options {
  let dryRun = false;
  let offline = false;
  let tag: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--offline') offline = true;
    else if (arg === '--tag' || arg === '--out') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('-')) throw new ReleaseError(`${arg} needs a value.`);
      if (arg === '--tag') tag = value;
      else out = value;
    } else {
      throw new ReleaseError(`Unknown argument '${arg}'. Usage: node --import tsx scripts/release.ts [--dry-run] [--tag vX.Y.Z] [--out DIR] [--offline]`);
    }
  }
  if (!dryRun && tag === undefined) throw new ReleaseError('A release needs --tag vX.Y.Z (the workflow passes the pushed tag); without one, only --dry-run.');
  return { dryRun, tag, out, offline };
}

interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(argv: readonly string[], options: { capture?: boolean } = {}): Ran {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('empty command');
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: options.capture ? 'pipe' : ['ignore', 'inherit', 'inherit'] });
  if (result.error) throw new ReleaseError(`${command} could not be started: ${result.error.message}`);
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function mustRun(argv: readonly string[], options: { capture?: boolean } = {}): string {
  const result = run(argv, options);
  if (result.status !== 0) throw new ReleaseError(`${shown(argv)} failed (exit code ${result.status})${result.stderr ? `:\n${result.stderr.trim()}` : '.'}`);
  return result.stdout;
}

function shown(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`)).join(' ');
}

/** Whether name@version is on npm, and from which commit; undefined when the registry could not say. */
function npmPublished(name: string, version: string): { gitHead: string | undefined } | false | undefined {
  const result = run(['npm', 'view', `${name}@${version}`, 'version', 'gitHead', '--json'], { capture: true });
  if (result.status !== 0) return /E404|404 Not Found/.test(result.stderr + result.stdout) ? false : undefined;
  if (result.stdout.trim() === '') return false;
  const facts = JSON.parse(result.stdout) as { gitHead?: string };
  return { gitHead: facts.gitHead };
}

function main(argv: readonly string[]): void {
  const options = parseOptions(argv);
  // Every npm command below, `npm publish --dry-run` included, then stays off the network.
  if (options.offline) process.env.npm_config_offline = 'true';
  const root = resolve(import.meta.dirname, '..');
  process.chdir(root);
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson;
  const name = String(pkg.name);
  const packageVersion = String(pkg.version);
  const tag = parseTag(options.tag ?? `v${packageVersion}`);
  checkVersion(tag, packageVersion);
  console.log(`Release ${tag.tag}${options.dryRun ? ' (dry run)' : ''}: ${name}@${tag.version}${tag.prerelease ? ', a prerelease' : `, major tag ${tag.major}`}`);

  const problems = packageProblems(pkg, process.env.GITHUB_REPOSITORY);
  // A fork's CI runs with its own repository name: only the real release insists on ours.
  const repositoryProblem = (problem: string) => problem.includes('is not this repository');
  for (const problem of problems.filter((p) => options.dryRun && repositoryProblem(p))) console.log(`warning: ${problem}`);
  const blocking = problems.filter((p) => !(options.dryRun && repositoryProblem(p)));
  if (blocking.length > 0) throw new ReleaseError(`The package cannot be released:\n${blocking.map((p) => `  - ${p}`).join('\n')}`);

  const { notes, warning } = releaseNotes(readFileSync('CHANGELOG.md', 'utf8'), tag, options.dryRun && options.tag === undefined ? 'allow-unreleased' : 'strict');
  if (warning) console.log(`warning: ${warning}`);

  const reported = mustRun([process.execPath, 'dist/cli.js', '--version'], { capture: true }).trim();
  if (reported !== `deptool ${tag.version}`) {
    throw new ReleaseError(`dist/cli.js --version says '${reported}', not 'deptool ${tag.version}': run 'npm run build' and commit dist/.`);
  }

  const commit = mustRun(['git', 'rev-parse', 'HEAD'], { capture: true }).trim();
  if (!options.dryRun) {
    const tagged = mustRun(['git', 'rev-parse', `refs/tags/${tag.tag}^{commit}`], { capture: true }).trim();
    if (tagged !== commit) throw new ReleaseError(`The checkout is at ${commit}, but ${tag.tag} is ${tagged}: release from the tag's commit.`);
  }

  const out = options.out ? resolve(options.out) : mkdtempSync(join(tmpdir(), 'deptool-release-'));
  mkdirSync(out, { recursive: true });
  const packed = JSON.parse(mustRun(['npm', 'pack', '--json', '--pack-destination', out], { capture: true })) as [{ filename: string; files: { path: string }[] }];
  const packProblems = packedFilesProblems(packed[0].files.map((file) => file.path));
  if (packProblems.length > 0) throw new ReleaseError(`npm pack gave the wrong files:\n${packProblems.map((p) => `  - ${p}`).join('\n')}`);
  const tarball = join(out, packed[0].filename);
  const cli = join(out, CLI_ASSET);
  copyFileSync('dist/cli.js', cli);
  const sums = join(out, 'SHA256SUMS');
  writeFileSync(sums, [tarball, cli].map((file) => `${createHash('sha256').update(readFileSync(file)).digest('hex')}  ${file.slice(out.length + 1)}\n`).join(''));
  const notesFile = join(out, 'notes.md');
  writeFileSync(notesFile, `${notes}\n`);
  console.log(`Packed ${packed[0].files.map((file) => file.path).join(', ')} into ${tarball}; the single-file CLI is ${cli}.`);

  let published = false;
  if (!options.offline) {
    const facts = npmPublished(name, tag.version);
    if (facts === undefined) console.log(`warning: the registry could not say whether ${name}@${tag.version} is published; npm publish will.`);
    else if (facts !== false) {
      if (!options.dryRun && facts.gitHead !== undefined && facts.gitHead !== commit) {
        throw new ReleaseError(`${name}@${tag.version} is already on npm, from commit ${facts.gitHead}, not ${commit}: a published version cannot change; release a new one.`);
      }
      published = true;
      console.log(`${name}@${tag.version} is already on npm${options.dryRun ? ': the next release needs a new version in package.json' : ' (a re-run): not publishing it again'}.`);
    }
  }
  const releaseExists = !options.dryRun && run(['gh', 'release', 'view', tag.tag, '--json', 'tagName'], { capture: true }).status === 0;
  const existingTags = mustRun(['git', 'tag', '--list', `${tag.major}.*`], { capture: true }).split('\n').filter(Boolean);
  const moveMajor = movesMajorTag(tag, existingTags);
  if (!moveMajor && !tag.prerelease) console.log(`${tag.major} stays where it is: a higher ${tag.major}.x.y release is tagged.`);

  const steps = releaseSteps({ tag, commit, tarball, assets: [cli, tarball, sums], notesFile, releaseExists, published, moveMajor });
  for (const step of steps) {
    if (options.dryRun && step.dryRunArgv === undefined) {
      console.log(`would ${step.title}:\n  $ ${shown(step.argv)}`);
      continue;
    }
    const argv = options.dryRun && step.dryRunArgv ? step.dryRunArgv : step.argv;
    console.log(`${step.title}:\n  $ ${shown(argv)}`);
    mustRun(argv);
  }
  console.log(options.dryRun ? `Dry run of ${tag.tag} passed; nothing was published.` : `Released ${tag.tag}.`);
}

if (isEntryPoint(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ReleaseError)) throw error;
    console.error(`release: ${error.message}`);
    process.exit(1);
  }
}
