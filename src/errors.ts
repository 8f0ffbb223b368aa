// Error classes that carry the process exit code; only the CLI's top-level catch
// (and later the Action's run()) turns them into an exit status.

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  rolledBack: 3,
  /** A rollout stopped by its failure budget: some hosts were not started. */
  rolloutStopped: 4,
  /** Stopped by Ctrl-C or SIGTERM, as shells report a SIGINT. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** One problem in the user's input, located as precisely as the input allows. */
export interface ConfigIssue {
  /** Path as the user would type it (relative to the working directory where possible). */
  path: string;
  line?: number;
  column?: number;
  message: string;
  /** What to do about it. */
  hint?: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.path : `${issue.path}:${issue.line}:${issue.column ?? 1}`;
  return issue.hint ? `${where}: ${issue.message}\n  ${issue.hint}` : `${where}: ${issue.message}`;
}

export class DeptoolError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Invalid configuration: every problem found, reported at once. Exit 2. */
export class ConfigError extends DeptoolError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`Invalid configuration (${count}):\n${issues.map(formatIssue).join('\n')}`, ExitCode.usage);
    this.issues = issues;
  }
}

/** Wrong command-line usage, or a setup that is missing (no store). Exit 2. */
export class UsageError extends DeptoolError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** An operation that was attempted and failed (store, git, I/O). Exit 1. */
export class OperationError extends DeptoolError {
  constructor(message: string) {
    super(message, ExitCode.failed);
  }
}
