// The Action's inputs (action.yml), read and checked before anything else happens.
import * as core from '@actions/core';
import { UsageError } from '../errors.js';
import { amount, type Amount } from '../tree/rollout.js';

export const MODES = ['auto', 'plan', 'deploy', 'rollback', 'sync'] as const;
export const COMMENT_MODES = ['update', 'new', 'off'] as const;

export interface ActionInputs {
  /** The cluster directory, relative to the workspace. */
  readonly cluster: string;
  readonly mode: (typeof MODES)[number];
  /** OpenSSH private key text; held in memory only. */
  readonly sshPrivateKey: string;
  readonly knownHosts: string;
  readonly sshConfig: string;
  readonly acceptUnknownHostKeys: boolean;
  readonly githubToken: string;
  readonly storeBranch: string;
  readonly sensitivePaths: readonly string[];
  readonly comment: (typeof COMMENT_MODES)[number];
  readonly requireReviewedPlan: boolean;
  readonly settleSeconds: number;
  /** Seconds a host waits for a new connection to confirm its activation (0: off); null: deptool.json's, else the default. */
  readonly confirmTimeout: number | null;
  readonly parallel: number;
  readonly hosts: readonly string[];
  readonly apps: readonly string[] | undefined;
  readonly to: string;
  readonly dryRun: boolean;
  /** Overrides of deptool.json's rollout; undefined where the input is empty. */
  readonly rollout: { readonly canary?: Amount; readonly batch?: Amount; readonly maxFailed?: Amount; readonly pause?: number };
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`Input '${name}' must be one of ${allowed.join(', ')}, not '${value}'.`);
}

function bool(name: string): boolean {
  const value = core.getInput(name).trim().toLowerCase();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new UsageError(`Input '${name}' must be true or false, not '${value}'.`);
}

function number(name: string, fallback: number, min: number, integer: boolean): number {
  const text = core.getInput(name);
  if (text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new UsageError(`Input '${name}' must be a ${integer ? 'whole ' : ''}number of at least ${min}, not '${text}'.`);
  }
  return value;
}

/** A count of hosts or a percentage (`"25%"`), when given. */
function amountInput(name: string, min: number): Amount | undefined {
  const text = core.getInput(name).trim();
  if (text === '') return undefined;
  const parsed = amount(text);
  if (parsed === null || ('count' in parsed && parsed.count < min)) {
    throw new UsageError(`Input '${name}' must be a whole number of hosts from ${min} or a percentage such as 25%, not '${text}'.`);
  }
  return parsed;
}

/** Comma- or newline-separated, blanks dropped. */
function list(name: string): string[] {
  return core
    .getInput(name)
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function readInputs(): ActionInputs {
  const sshPrivateKey = core.getInput('ssh-private-key');
  // Masked before anything could print it, line by line as the runner masks multi-line secrets.
  if (sshPrivateKey !== '') {
    core.setSecret(sshPrivateKey);
    for (const line of sshPrivateKey.split('\n')) if (line.trim().length > 8) core.setSecret(line.trim());
  }
  const githubToken = core.getInput('github-token');
  if (githubToken !== '') core.setSecret(githubToken);
  const cluster = core.getInput('cluster', { required: true });
  const storeBranch = core.getInput('store-branch') || 'deptool/store';
  if (!/^[\w.-]+(\/[\w.-]+)*$/.test(storeBranch) || storeBranch.includes('..') || storeBranch.endsWith('.lock')) {
    throw new UsageError(`Input 'store-branch' is not a valid branch name: '${storeBranch}'.`);
  }
  const apps = list('apps');
  return {
    cluster,
    mode: oneOf('mode', core.getInput('mode') || 'auto', MODES),
    sshPrivateKey,
    knownHosts: core.getInput('known-hosts'),
    sshConfig: core.getInput('ssh-config'),
    acceptUnknownHostKeys: bool('accept-unknown-host-keys'),
    githubToken,
    storeBranch,
    sensitivePaths: list('sensitive-paths'),
    comment: oneOf('comment', core.getInput('comment') || 'update', COMMENT_MODES),
    requireReviewedPlan: bool('require-reviewed-plan'),
    settleSeconds: number('settle', 1, 0, false),
    confirmTimeout: core.getInput('confirm-timeout') === '' ? null : number('confirm-timeout', 0, 0, true),
    parallel: number('parallel', 32, 1, true),
    hosts: list('hosts'),
    apps: apps.length > 0 ? apps : undefined,
    to: core.getInput('to') || 'previous',
    dryRun: bool('dry-run'),
    rollout: {
      canary: amountInput('canary', 0),
      batch: amountInput('batch', 1),
      maxFailed: amountInput('max-failed', 0),
      pause: core.getInput('pause').trim() === '' ? undefined : number('pause', 0, 0, false),
    },
  };
}
