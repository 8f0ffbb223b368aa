// Runs the Action's bundle exactly as a GitHub runner does: `node dist/index.js` with the
// inputs (action.yml defaults filled in, as the runner fills them) as INPUT_*, the event
// payload in GITHUB_EVENT_PATH, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files to read back.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BUNDLE = join(ROOT, 'dist', 'index.js');

interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
}

export const ACTION = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;

export interface Annotation {
  readonly level: 'error' | 'warning' | 'notice';
  readonly properties: Record<string, string>;
  readonly message: string;
}

export interface ActionRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly summary: string;
  readonly outputs: Record<string, string>;
  readonly annotations: readonly Annotation[];
  /** Everything the run produced that anyone could read: for asserting that secrets never appear. */
  readonly everything: string;
}

export interface RunOptions {
  readonly eventName: string;
  readonly payload: unknown;
  readonly workspace: string;
  readonly inputs: Record<string, string>;
  /** GITHUB_SHA (a push's `after`). */
  readonly sha: string;
  readonly ref: string;
  readonly apiUrl: string;
  readonly env?: Record<string, string>;
}

/** `::error title=x,file=y::message` with the runner's escapes (%25, %0D, %0A, and %3A, %2C in properties). */
function parseAnnotations(stdout: string): Annotation[] {
  const unescape = (text: string) => text.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  const found: Annotation[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1));
    }
    found.push({ level: match[1] as Annotation['level'], properties, message: unescape(match[3]) });
  }
  return found;
}

/** GITHUB_OUTPUT's `name<<delimiter` blocks, as @actions/core writes them. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i]);
    if (!match) continue;
    const end = lines.indexOf(match[2], i + 1);
    outputs[match[1]] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

export async function runAction(options: RunOptions): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'deptool-runner-'));
  const temp = join(dir, 'temp');
  await mkdir(temp);
  const files = { event: join(dir, 'event.json'), output: join(dir, 'output'), summary: join(dir, 'summary.md'), state: join(dir, 'state'), env: join(dir, 'env'), path: join(dir, 'path') };
  await writeFile(files.event, JSON.stringify(options.payload));
  for (const file of [files.output, files.summary, files.state, files.env, files.path]) await writeFile(file, '');

  // The runner's repository is the payload's.
  const repository = (options.payload as { repository: { full_name: string } }).repository.full_name;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: repository.split('/')[0],
    GITHUB_SHA: options.sha,
    GITHUB_REF: options.ref,
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'Codertocat',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: options.apiUrl,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    RUNNER_TEMP: temp,
    ...options.env,
  };
  // The runner passes every declared input, with its default when the workflow gives none.
  for (const [name, spec] of Object.entries(ACTION.inputs)) {
    const given = options.inputs[name];
    const fallback = spec.default === '${{ github.token }}' ? 'ghs_workflowtoken' : (spec.default ?? '');
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = given ?? fallback;
  }
  for (const name of Object.keys(options.inputs)) {
    if (!(name in ACTION.inputs)) throw new Error(`input '${name}' is not declared in action.yml`);
  }

  const child = spawn(process.execPath, [BUNDLE], { cwd: options.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const code = await new Promise<number>((done) => child.on('close', (status) => done(status ?? -1)));
  const out = Buffer.concat(stdout).toString('utf8');
  const err = Buffer.concat(stderr).toString('utf8');
  const summary = await readFile(files.summary, 'utf8');
  const outputText = await readFile(files.output, 'utf8');
  const extra = [await readFile(files.env, 'utf8'), await readFile(files.state, 'utf8'), await readFile(files.path, 'utf8')].join('\n');
  return { code, stdout: out, stderr: err, summary, outputs: parseOutputs(outputText), annotations: parseAnnotations(out), everything: [out, err, summary, outputText, extra].join('\n') };
}
