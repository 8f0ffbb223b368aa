// Every deptool command as data: synopsis, description, arguments, options and the flags
// other tools taught people. The parser, `--help`, `deptool help`, docs/cli/*.md and the
// shell completions are all rendered from this one list, so they cannot disagree.

/** The tool a habit comes from, as a sentence names it. */
export function toolName(habit: HabitSpec): string {
  return habit.tool === 'Deptool' ? 'the original Deptool' : habit.tool;
}

/** What a shell may complete for an option's value or an argument. */
export type Completion = 'hosts' | 'apps' | 'files' | 'dirs' | 'commands' | 'shells' | 'none' | readonly string[];

export interface OptionSpec {
  /** The long name, without `--`. */
  readonly name: string;
  readonly short?: string;
  /** The value's placeholder (`HOST,...`); absent for a switch. */
  readonly value?: string;
  /** Repeatable; for lists, `--limit a,b` and `--limit a --limit b` mean the same. */
  readonly multiple?: boolean;
  /** Full sentences. */
  readonly help: string;
  readonly complete?: Completion;
}

export interface ArgumentSpec {
  readonly name: string;
  readonly help: string;
  readonly required?: boolean;
  readonly complete: Completion;
}

/**
 * A flag of another tool (Deptool's, mostly) that people type out of habit: accepted where it
 * means the same as one of ours, otherwise answered with what to use instead.
 */
export type HabitSpec = { readonly name: string; readonly tool: string } & (
  | { readonly kind: 'alias'; readonly to: string }
  /** Already what happens without it: accepted, changes nothing. */
  | { readonly kind: 'default'; readonly note: string }
  /** Means another command: runs it, with the options both commands share. */
  | { readonly kind: 'command'; readonly command: string; readonly keeps: readonly string[] }
  | { readonly kind: 'replaced'; readonly answer: string }
);

export interface CommandSpec {
  readonly name: string;
  readonly synopsis: string;
  /** One sentence, for the list of commands. */
  readonly summary: string;
  /** Paragraphs of full sentences. */
  readonly description: readonly string[];
  readonly arguments: readonly ArgumentSpec[];
  readonly options: readonly OptionSpec[];
  readonly habits: readonly HabitSpec[];
}

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'store',
    value: 'DIR',
    help: 'The store: the git repository holding what is deployed and the deployment history (default: $DEPTOOL_STORE, else .deptool in the working directory).',
    complete: 'dirs',
  },
  { name: 'help', short: 'h', help: "Show the command's help and exit." },
];

const DIR: ArgumentSpec = {
  name: 'DIR',
  help: 'The cluster directory (DIR/<host>/<app>/...). When given, it is recorded in the store as the default for later commands; when omitted, the recorded default is used.',
  complete: 'dirs',
};

const limit = (verb: string): OptionSpec => ({
  name: 'limit',
  value: 'HOST,...',
  multiple: true,
  help: `${verb} only these hosts. Repeatable: --limit a,b and --limit a --limit b mean the same.`,
  complete: 'hosts',
});

const identity: OptionSpec = {
  name: 'identity',
  short: 'i',
  value: 'FILE',
  help: 'The SSH private key to use (default: ssh-agent, then IdentityFile in ~/.ssh/config).',
  complete: 'files',
};

const connectTimeout: OptionSpec = {
  name: 'connect-timeout',
  value: 'SECONDS',
  help: "The limit for reaching each host over SSH: connecting, the handshake and the login (default: ConnectTimeout in ~/.ssh/config for the host, else connect_timeout in deptool.json, else 15).",
};

const parallel = (what: string): OptionSpec => ({ name: 'parallel', value: 'N', help: `Hosts ${what} at once (default 32).` });

/** What deploy and rollback share: confirmation, dry run, and how hosts are activated. */
const APPLY_OPTIONS: readonly OptionSpec[] = [
  { name: 'yes', short: 'y', help: 'Apply without asking. Without a terminal to ask on, it is needed.' },
  {
    name: 'dry-run',
    help: 'Lock and check every host, then try its activation in a scratch root on the host: validate commands run, systemctl does not. Nothing changes and nothing is recorded.',
  },
  identity,
  connectTimeout,
  { name: 'root', value: 'DIR', help: 'For hosts with the local transport: deploy into DIR instead of /, without systemctl.', complete: 'dirs' },
  { name: 'settle', value: 'SECONDS', help: 'How long each restarted unit must stay healthy before the host counts as deployed (default 1).' },
  parallel('changed'),
  { name: 'timeout', value: 'SECONDS', help: "The limit for one host's activation (default 300)." },
  {
    name: 'confirm-timeout',
    value: 'SECONDS',
    help: "How long each host waits, once its units restarted, for a new SSH connection to confirm the change before it rolls itself back (default: confirm_timeout in deptool.json, else 30; 0 turns it off).",
  },
  { name: 'allow-degraded', help: 'Also change hosts whose systemd state is not "running".' },
];

const NO_CONFIRM: HabitSpec = { name: 'no-confirm', tool: 'Deptool', kind: 'alias', to: 'yes' };

const LOCAL: HabitSpec = {
  name: 'local',
  tool: 'Deptool',
  kind: 'replaced',
  answer: 'Give the host "transport": "local" in deptool.json (under "hosts", or "defaults" for every host); deploy --root DIR then changes a sandbox instead of /.',
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'init',
    synopsis: 'deptool init [DIR]',
    summary: 'Create the store, and the cluster directory DIR recorded as the default.',
    description: [
      'Create the store (a bare git repository: .deptool in the working directory, or $DEPTOOL_STORE, or --store) unless it exists already.',
      'With DIR, also create the cluster directory DIR (unless it exists) and record it as the default cluster for the other commands. One store can serve several clusters, each on its own branch, as long as they share no host.',
    ],
    arguments: [{ ...DIR, help: 'The cluster directory to create and record as the default; its name is the cluster\'s name.' }],
    options: [],
    habits: [],
  },
  {
    name: 'plan',
    synopsis: 'deptool plan [DIR] [--json | --markdown] [--limit HOST,...]',
    summary: 'Show what a deploy would change; no host is contacted.',
    description: [
      'Show what a deploy of the cluster DIR would change on each host: the apps added, updated and removed, with their files, units and links, and the rollout.',
      'It reads the config tree and the store only; no host is contacted.',
    ],
    arguments: [DIR],
    options: [
      { name: 'json', help: 'Print the plan as JSON (schema: docs/plan-json.md), with its digest.' },
      { name: 'markdown', help: 'Print the plan as the body of the pull-request comment.' },
      limit('Plan'),
      {
        name: 'sensitive',
        value: 'GLOB',
        multiple: true,
        help: 'With --markdown: never show the content of the files matching GLOB (over HOST/APP/PATH), in addition to sensitive_paths in deptool.json. Repeatable.',
        complete: 'none',
      },
    ],
    habits: [],
  },
  {
    name: 'diff',
    synopsis: 'deptool diff [DIR] [--stat] [--limit HOST,...]',
    summary: 'Show the full unified diff that the next deploy would apply.',
    description: [
      'Show the full unified diff between what the store says is deployed and the config tree DIR, as the d answer of the deploy prompt shows it. No host is contacted.',
      'On a terminal the diff goes through $PAGER (default: less). A sensitive file (sensitive_paths in deptool.json, or a file its permissions keep from others) shows sha256 prefixes instead of its content.',
    ],
    arguments: [DIR],
    options: [{ name: 'stat', help: 'Show only a summary of the changed lines per file.' }, limit('Diff')],
    habits: [],
  },
  {
    name: 'deploy',
    synopsis: 'deptool deploy [DIR] [--yes] [--limit HOST,...] [--dry-run] [--json] [options]',
    summary: 'Show the plan, ask for confirmation, and make every host match the config tree.',
    description: [
      'Show the plan for the cluster DIR and ask for confirmation (d shows the full diff). Then lock and check every host first (its hostname, its systemd state, and that what it runs matches the store), and change nothing anywhere if one is refused.',
      'Then, per host in parallel, stage the changed apps, activate them atomically, and verify that the restarted units stay healthy; a host where one does not rolls itself back. The attempt is recorded in the store as one commit.',
      'With --dry-run, each host goes through its activation in a scratch root on the host, and nothing changes.',
    ],
    arguments: [DIR],
    options: [
      limit('Deploy to'),
      ...APPLY_OPTIONS,
      {
        name: 'overwrite-drift',
        help: 'Replace files and links edited by hand on the hosts instead of refusing those hosts; the plan lists every edit it overwrites (see also deptool sync).',
      },
      { name: 'canary', value: 'N|N%', help: 'Hosts that go first, alone (rollout.canary in deptool.json).' },
      { name: 'batch', value: 'N|N%', help: 'Hosts per batch after the canary (rollout.batch; default: all at once).' },
      {
        name: 'max-failed',
        value: 'N|N%',
        help: 'Failed or rolled-back hosts tolerated before the rest are not started (rollout.max_failed; 0 with a canary or batches).',
      },
      { name: 'pause', value: 'SECONDS', help: 'Seconds to wait between stages (rollout.pause).' },
      { name: 'json', help: 'Print the outcome as JSON on stdout; the plan and progress go to stderr. Needs --yes or --dry-run.' },
    ],
    habits: [
      NO_CONFIRM,
      { name: 'plan-only', tool: 'Deptool', kind: 'command', command: 'plan', keeps: ['limit'] },
      LOCAL,
      { name: 'check', tool: 'Ansible', kind: 'replaced', answer: "Use deploy --dry-run to try every host's activation without changing anything, or deptool plan to see what would change without contacting a host." },
    ],
  },
  {
    name: 'rollback',
    synopsis: 'deptool rollback [DIR] --host HOST [--app APP,...] [--to previous|COMMIT]',
    summary: 'Put the apps of a host back to their previous version, or to a store commit\'s.',
    description: [
      'Put the apps of HOST (all of them, or those given with --app) back to their previous version, or to their version in a store COMMIT (see deptool log).',
      'The revision is usually still on the host, so this flips current back and restarts the units. It is confirmed, checked and recorded as a deploy is, as a new commit.',
    ],
    arguments: [DIR],
    options: [
      { name: 'host', value: 'HOST', help: 'The host to roll back (required).', complete: 'hosts' },
      { name: 'app', value: 'APP,...', multiple: true, help: 'Only these apps (default: every app of the host). Repeatable.', complete: 'apps' },
      { name: 'to', value: 'previous|COMMIT', help: "previous: each app's version before its last change (the default); COMMIT: the versions recorded in this store commit.", complete: ['previous'] },
      ...APPLY_OPTIONS,
    ],
    habits: [NO_CONFIRM],
  },
  {
    name: 'sync',
    synopsis: 'deptool sync [DIR] [--limit HOST,...] [--changed]',
    summary: 'Record in the store what the hosts run; nothing on a host changes.',
    description: [
      "Connect to the hosts of the cluster DIR and record in the store what they run, as one commit: a deploy from another operator's store, a run that was interrupted, a store that was lost, or files edited by hand on a host (accepted as they are).",
      'Nothing that runs on a host changes.',
    ],
    arguments: [DIR],
    options: [
      limit('Sync'),
      { name: 'changed', help: 'Only the hosts a deploy would change (those whose config differs from the store).' },
      identity,
      connectTimeout,
      parallel('read'),
    ],
    habits: [{ name: 'all', tool: 'Deptool', kind: 'default', note: 'every host is synced unless --limit or --changed says otherwise' }, LOCAL],
  },
  {
    name: 'status',
    synopsis: 'deptool status [DIR] [--limit HOST,...]',
    summary: 'Show per host the last deploy and what is not deployed yet; no host is contacted.',
    description: [
      'Show, per host of the cluster DIR, the last deploy recorded in the store (date, commit and result) and the apps whose config differs from what is deployed, or "new host".',
      'It reads the config tree and the store only; no host is contacted. Run deptool sync first for what the hosts run now.',
    ],
    arguments: [DIR],
    options: [limit('Show')],
    habits: [],
  },
  {
    name: 'log',
    synopsis: 'deptool log [DIR] [--host HOST] [-n N]',
    summary: 'Show the deployment history, newest first, with per-host results.',
    description: ['Show the deployment history of the cluster DIR recorded in the store, newest first: one entry per attempt, with its result on each host.'],
    arguments: [DIR],
    options: [
      { name: 'host', value: 'HOST', help: 'Only the attempts that involved HOST.', complete: 'hosts' },
      { name: 'number', short: 'n', value: 'N', help: 'Show at most N attempts.' },
    ],
    habits: [],
  },
  {
    name: 'ping',
    synopsis: 'deptool ping [DIR] [--limit HOST,...] [-n N]',
    summary: 'Connect to every host and report the SSH round trip: min, median and p95.',
    description: [
      'Connect to every host of the cluster DIR, verifying host keys as a deploy does, and report the connect time and the round trip of N commands over the SSH connection: min, median and p95.',
      'It is not an ICMP ping: it works where ICMP is blocked, and measures what a deploy waits for.',
    ],
    arguments: [DIR],
    options: [limit('Ping'), { name: 'count', short: 'n', value: 'N', help: 'Round trips per host (default 10).' }, identity, connectTimeout],
    habits: [LOCAL],
  },
  {
    name: 'help',
    synopsis: 'deptool help [COMMAND]',
    summary: 'Show the list of commands, or the help of one command.',
    description: ['Show the list of commands, or with COMMAND, its help: the same as deptool COMMAND --help.'],
    arguments: [{ name: 'COMMAND', help: 'The command to show the help of.', complete: 'commands' }],
    options: [],
    habits: [],
  },
  {
    name: 'completion',
    synopsis: 'deptool completion bash|zsh|fish',
    summary: 'Print the shell completion script for bash, zsh or fish.',
    description: [
      'Print a script that completes deptool commands, options and host names in the given shell.',
      'bash: add eval "$(deptool completion bash)" to ~/.bashrc. zsh: add eval "$(deptool completion zsh)" to ~/.zshrc, after compinit. fish: run deptool completion fish > ~/.config/fish/completions/deptool.fish once.',
    ],
    arguments: [{ name: 'SHELL', help: 'bash, zsh or fish.', complete: 'shells', required: true }],
    options: [],
    habits: [],
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The options a command accepts, its own first. */
export function allOptions(spec: CommandSpec): readonly OptionSpec[] {
  return [...spec.options, ...GLOBAL_OPTIONS];
}

export const EXIT_CODES: readonly (readonly [number, string])[] = [
  [0, 'Done, or nothing to do.'],
  [1, 'The operation failed, or a host refused it.'],
  [2, 'A usage or configuration error (a mistyped option, an invalid config tree, no store); nothing was changed.'],
  [3, 'A host was rolled back.'],
  [4, 'A rollout stopped by its failure budget: some hosts were not started.'],
  [130, 'Interrupted (Ctrl-C or SIGTERM).'],
];

export const ABOUT = 'deptool makes Linux hosts match a tree of pre-rendered config (<cluster>/<host>/<app>/...) over SSH.';
