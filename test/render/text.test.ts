// The terminal plan in colour: each verb, mark and warning in Deptool's colours, and the same text without them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makePlan } from '../../src/plan/plan.js';
import { renderText } from '../../src/render/text.js';
import { snapshot } from '../helpers/snapshot.js';
import { named, stripColor } from './color.js';

const UNIT = '[Service]\nExecStart=/bin/true\n';

test('the plan colours app actions, file marks, unit and link verbs, and keeps checks quiet', () => {
  const deployed = snapshot({
    'web/old/a.conf': 'x\n',
    'web/old/manifest.json': JSON.stringify({ systemd: { units_enabled: ['old.service'] } }),
    'web/old/systemd/old.service': UNIT,
    'web/site/gone.conf': 'x\n',
    'web/site/site.conf': 'a\n',
    'web/site/manifest.json': JSON.stringify({ systemd: { units_enabled: ['site.service'] } }),
    'web/site/systemd/site.service': UNIT,
  });
  const desired = snapshot({
    'web/new/b.conf': 'y\n',
    'web/new/manifest.json': JSON.stringify({
      symlinks: { '/etc/new.conf': 'b.conf' },
      systemd: { units_enabled: ['new.service'] },
      validate: [['/bin/check', 'b.conf']],
      checks: [{ tcp: '127.0.0.1:80' }],
    }),
    'web/new/systemd/new.service': UNIT,
    'web/site/site.conf': 'b\n',
    'web/site/manifest.json': JSON.stringify({ systemd: { units_enabled: ['site.service'] } }),
    'web/site/systemd/site.service': UNIT,
  });
  const plan = makePlan({ cluster: 'prod', base: null, deployed, desired });
  const colored = renderText(plan, { color: true });
  const lines = named(colored).split('\n');
  const hostLine = lines[0];
  assert.match(hostLine, /^<bold>web<\/>( <red>\(rollback unavailable\)<\/>)?$/);
  const body = lines.slice(1, lines.indexOf('')).join('\n');
  assert.equal(
    body,
    [
      '    <green>add</> new',
      '        <green>+</> b.conf',
      '        <green>+</> manifest.json',
      '        <green>+</> systemd/new.service',
      '        <dim>validate /bin/check b.conf</>',
      '        <green>link</> /etc/new.conf -> b.conf',
      '        <green>link unit</> new.service',
      '        <green>enable unit</> new.service',
      '        <dim>check tcp 127.0.0.1:80 (within 30 s)</>',
      '    <red>remove</> old',
      '        <red>-</> a.conf',
      '        <red>-</> manifest.json',
      '        <red>-</> systemd/old.service',
      '        <red>disable unit</> old.service',
      '        <red>unlink unit</> old.service',
      '    <yellow>update</> site',
      '        <red>-</> gone.conf',
      '        <yellow>~</> site.conf',
      '        <yellow>restart unit</> site.service',
    ].join('\n'),
  );
  assert.equal(stripColor(colored), renderText(plan, { color: false }), 'colour adds escapes and nothing else');
  assert.ok(!renderText(plan, { color: false }).includes('\x1b'));
});

test('(rollback unavailable) is red and the host name bold', () => {
  const plan = makePlan({
    cluster: 'prod',
    base: null,
    deployed: snapshot({ 'web/site/a': '1' }),
    desired: snapshot({ 'web/site/a': '2' }),
  });
  const unavailable = { ...plan, hosts: [{ ...plan.hosts[0], rollback: { available: false, reasons: ['the agent cannot undo it'] } }] };
  assert.equal(named(renderText(unavailable, { color: true })).split('\n')[0], '<bold>web</> <red>(rollback unavailable)</>');
  assert.equal(renderText(unavailable, { color: false }).split('\n')[0], 'web (rollback unavailable)');
});
