// The command-line parser: values, lists, the flags of other tools, and every message for a mistake.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listOption, parseCommand, unknownCommand } from '../../src/cli/args.js';
import { COMMANDS, findCommand, type CommandSpec } from '../../src/cli/registry.js';
import { ExitCode, UsageError } from '../../src/errors.js';

function spec(name: string): CommandSpec {
  const found = findCommand(name);
  assert.ok(found, name);
  return found;
}

/** The message of the UsageError that parsing throws. */
function mistake(command: string, argv: string[]): string {
  try {
    parseCommand(spec(command), argv);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    assert.equal(error.exitCode, ExitCode.usage);
    return error.message;
  }
  assert.fail(`deptool ${command} ${argv.join(' ')} was accepted`);
}

test('options, short options, values inline or in the next word, and DIR', () => {
  const parsed = parseCommand(spec('deploy'), ['prod', '-y', '--limit', 'web1,web2', '--limit=web3', '-i', 'key', '--canary=1', '--dry-run']);
  assert.deepEqual(parsed.positionals, ['prod']);
  assert.deepEqual(parsed.values, { yes: true, limit: ['web1,web2', 'web3'], identity: 'key', canary: '1', 'dry-run': true });
  assert.deepEqual(listOption(parsed.values.limit), ['web1', 'web2', 'web3']);
  assert.equal(parsed.runs, undefined);
});

test('after --, a word that looks like an option is DIR', () => {
  assert.deepEqual(parseCommand(spec('plan'), ['--', '--odd']).positionals, ['--odd']);
});

test('--help anywhere wins over every other word, even mistaken ones', () => {
  assert.deepEqual(parseCommand(spec('deploy'), ['--dry-rn', 'a', 'b', '--help']).values, { help: true });
  assert.deepEqual(parseCommand(spec('log'), ['-h']).values, { help: true });
});

test('listOption splits on commas, trims, drops empty items, and ignores switches', () => {
  assert.deepEqual(listOption(['a, b', 'c,', ' d ']), ['a', 'b', 'c', 'd']);
  assert.deepEqual(listOption('x'), ['x']);
  assert.equal(listOption(true), undefined);
  assert.equal(listOption(undefined), undefined);
});

test('a mistyped option gets the one meant, the command and where to read more', () => {
  assert.equal(
    mistake('deploy', ['--dry-rn']),
    `Unknown option '--dry-rn' for deploy. Did you mean "--dry-run"?\nRun 'deptool help deploy' for its arguments and options.`,
  );
  assert.match(mistake('plan', ['--jsno']), /Did you mean "--json"\?/);
  assert.match(mistake('deploy', ['--dryrun']), /Did you mean "--dry-run"\?/);
  assert.match(mistake('deploy', ['--Limit', 'a']), /Did you mean "--limit"\?/);
  assert.match(mistake('plan', ['--stroe', 'x']), /Did you mean "--store"\?/);
});

test('an option of another command says which commands have it', () => {
  assert.equal(
    mistake('status', ['--host', 'web1']),
    `Unknown option '--host' for status. It is an option of rollback, log.\nRun 'deptool help status' for its arguments and options.`,
  );
});

test('an unknown option nothing resembles, and an unknown short option, still name the command', () => {
  assert.equal(mistake('plan', ['--frobnicate']), `Unknown option '--frobnicate' for plan.\nRun 'deptool help plan' for its arguments and options.`);
  assert.equal(mistake('deploy', ['-x']), `Unknown option '-x' for deploy.\nRun 'deptool help deploy' for its arguments and options.`);
  assert.equal(mistake('deploy', ['-yx']), `Unknown option '-x' for deploy.\nRun 'deptool help deploy' for its arguments and options.`);
});

test('an option without its value says what the value is', () => {
  assert.equal(mistake('deploy', ['--limit']), `--limit needs a value (HOST,...).\nRun 'deptool help deploy' for its arguments and options.`);
  assert.equal(mistake('log', ['-n']), `-n needs a value (N).\nRun 'deptool help log' for its arguments and options.`);
});

test('an option followed by another option is missing its value, and says how to pass one with a dash', () => {
  assert.equal(
    mistake('deploy', ['--limit', '--yes']),
    `--limit needs a value (HOST,...). To pass one that starts with '-', write --limit=--yes.\nRun 'deptool help deploy' for its arguments and options.`,
  );
  assert.deepEqual(parseCommand(spec('deploy'), ['--limit=-odd']).values.limit, ['-odd']);
});

test('a switch given a value is refused', () => {
  assert.equal(mistake('deploy', ['--yes=no']), `--yes takes no value, but was given 'no'.\nRun 'deptool help deploy' for its arguments and options.`);
});

test('too many arguments name the one too many and what the command takes', () => {
  assert.equal(mistake('deploy', ['prod', 'staging']), `Unexpected argument 'staging': deploy takes one argument, DIR.\nRun 'deptool help deploy' for its arguments and options.`);
  assert.equal(mistake('help', ['deploy', 'plan']), `Unexpected argument 'plan': help takes one argument, COMMAND.\nRun 'deptool help help' for its arguments and options.`);
});

test('a required argument left out is named with what it takes', () => {
  assert.equal(mistake('completion', []), `Missing argument SHELL: bash, zsh or fish.\nRun 'deptool help completion' for its arguments and options.`);
});

test("Deptool's --no-confirm is --yes, for deploy and rollback", () => {
  assert.deepEqual(parseCommand(spec('deploy'), ['--no-confirm']).values, { yes: true });
  assert.deepEqual(parseCommand(spec('rollback'), ['--host', 'web1', '--no-confirm']).values, { host: 'web1', yes: true });
  assert.match(mistake('plan', ['--no-confirm']), /^Unknown option '--no-confirm' for plan\./);
});

test("Deptool's deploy --plan-only runs plan, with DIR and --limit, and refuses what plan does not take", () => {
  const parsed = parseCommand(spec('deploy'), ['prod', '--plan-only', '--limit', 'web1', '--store', 's']);
  assert.equal(parsed.runs, 'plan');
  assert.deepEqual(parsed.positionals, ['prod']);
  assert.deepEqual(parsed.values, { limit: ['web1'], store: 's' });
  assert.equal(mistake('deploy', ['--plan-only', '--yes']), `--plan-only means 'deptool plan', which takes no --yes.\nRun 'deptool help plan' for its options.`);
  assert.equal(mistake('deploy', ['--plan-only=1']), `--plan-only takes no value.\nRun 'deptool help deploy' for its arguments and options.`);
});

test("Deptool's sync --all is what sync does anyway: accepted, changing nothing", () => {
  assert.deepEqual(parseCommand(spec('sync'), ['--all', 'prod']), { values: {}, positionals: ['prod'] });
});

test("Deptool's --local is answered with deptool.json's local transport, on every command that had it", () => {
  for (const command of ['deploy', 'sync', 'ping']) {
    assert.equal(
      mistake(command, ['--local']),
      `--local is a flag of the original Deptool, which deptool does not have. Give the host "transport": "local" in deptool.json (under "hosts", or "defaults" for every host); deploy --root DIR then changes a sandbox instead of /.`,
    );
  }
});

test("Ansible's --check is answered with deploy --dry-run and plan", () => {
  assert.equal(
    mistake('deploy', ['--check']),
    "--check is a flag of Ansible, which deptool does not have. Use deploy --dry-run to try every host's activation without changing anything, or deptool plan to see what would change without contacting a host.",
  );
});

test("every flag of Deptool's deploy, sync, ping, status, diff and init is accepted or answered", () => {
  // From Deptool's docs/cmd/*.md and its argument parser (src/main.rs).
  const deptool: Record<string, string[][]> = {
    deploy: [['--no-confirm'], ['--plan-only'], ['--limit', 'a'], ['--local']],
    sync: [['--changed'], ['--all'], ['--limit', 'a'], ['--local']],
    ping: [['--limit', 'a'], ['--local']],
    status: [['--limit', 'a']],
    diff: [['--stat'], ['--limit', 'a']],
    init: [],
  };
  for (const [command, flags] of Object.entries(deptool)) {
    for (const argv of flags) {
      try {
        parseCommand(spec(command), argv);
      } catch (error) {
        assert.ok(error instanceof UsageError);
        assert.doesNotMatch(error.message, /^Unknown option/, `${command} ${argv[0]}`);
      }
    }
  }
});

test('a mistyped command gets the one meant; an unknown one lists the commands', () => {
  assert.equal(unknownCommand('deplyo').message, `Unknown command 'deplyo'. Did you mean "deploy"?\nRun 'deptool help' for what each command does.`);
  assert.match(unknownCommand('stauts').message, /Did you mean "status"\?/);
  assert.match(unknownCommand('rolback').message, /Did you mean "rollback"\?/);
  assert.equal(
    unknownCommand('frobnicate').message,
    `Unknown command 'frobnicate'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}.\nRun 'deptool help' for what each command does.`,
  );
});

test('no option name is declared twice for a command, and habits never shadow an option', () => {
  for (const command of COMMANDS) {
    const names = [...command.options, ...command.habits].map((o) => o.name);
    assert.equal(new Set(names).size, names.length, command.name);
    const shorts = command.options.flatMap((o) => (o.short ? [o.short] : []));
    assert.equal(new Set(shorts).size, shorts.length, command.name);
    for (const habit of command.habits) if (habit.kind === 'alias') assert.ok(command.options.some((o) => o.name === habit.to), `${command.name} --${habit.name}`);
  }
});
