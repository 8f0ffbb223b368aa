// docs/troubleshooting.md quotes deptool's messages: each quoted fragment must still be said,
// word for word, by the sources (src/ or the agent), or the page sends readers after a
// message they will never see.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

const SAID = [...sources(join(ROOT, 'src')), readFileSync(join(ROOT, 'agent', 'deptool-agent.sh'), 'utf8')].join('\n');
// Words wrap at any space in the page's prose.
const PAGE = readFileSync(join(ROOT, 'docs', 'troubleshooting.md'), 'utf8').replace(/\s+/g, ' ');

/** Fragments of messages as one string literal of the sources holds them. */
const QUOTED = [
  'Nothing was changed: ',
  'the host was changed outside deptool (drift): ',
  "to accept the host as it is, or 'deptool deploy --overwrite-drift --limit ",
  ' was changed on the host',
  ' is no longer a link',
  '/var/lib/deptool/state.json is not valid; it was changed outside deptool',
  'do not match the manifests the host runs; run ',
  'exists with different content; move it away, or make it identical to adopt it',
  'exists and deptool does not manage it; move it away',
  'locked by another deploy: ',
  'is still running on the host; waiting for it, at most ',
  'an activation is still running on the host: ',
  '; try again when it has ended',
  'Interrupted: no new host will start; the activations in flight finish and are recorded. Press Ctrl-C again to exit at once.',
  'interrupted again: exiting now. The next deploy (or deptool sync) records what the hosts run.',
  'the store does not know what this host runs: a deploy, or deptool sync, records it first',
  'the connection was lost before the activation started; nothing changed on ',
  'during the activation and could not reach it again within ',
  'the outcome is unknown: the next deploy, or ',
  'the host went down during it; it was undone from its journal at boot',
  'its unit was stopped; it was undone from its journal before this run',
  'the host is back on what it ran before',
  'an undo step failed: see /var/lib/deptool/activations/',
  'the hosts changed but the store could not record it: ',
  "The next deploy, or 'deptool sync', records what the hosts run.",
  'deptool manages only units it made and will not replace it.',
  'ship a drop-in instead: ',
  'no new SSH connection confirmed the activation within ',
  ' s; can the deploy user still log in (sshd, its config, the network)?',
  ' is not known: no entry for ',
  'To trust it: verify that fingerprint out of band (on the host: ssh-keygen -lf /etc/ssh/ssh_host_',
  'HOST KEY MISMATCH for ',
  'Someone may be intercepting the connection (man-in-the-middle attack), or the host was reinstalled. Refusing to connect.',
  'If the change is expected, verify the new fingerprint out of band, then replace the old entry: ssh-keygen -R ',
  'known_hosts only has other key types for ',
  "Input 'known-hosts' is required to deploy: every host key is checked against it.",
  'because accept-unknown-host-keys is on. Add it to known-hosts:',
  ' failed during the settle time',
  ' is not healthy',
  'has no [Install] section (or it is not enabled: ',
  '); add one, e.g. WantedBy=multi-user.target, or remove it from units_enabled',
  'the driver rejected the activation: ',
  'HTTP request failed: ',
  'the body does not contain ',
  'did not finish within ',
  'could not be run (exit status ',
  'exited with status ',
  'activation timed out or was stopped',
  "': is this the right machine? ",
  'If it is, set "hostname" for it in deptool.json.',
  '; fix it or pass --allow-degraded',
];

test('every message fragment the troubleshooting page quotes is said by the sources', () => {
  const missing = QUOTED.filter((fragment) => !SAID.includes(fragment));
  assert.deepEqual(missing, [], 'the sources no longer say these: update docs/troubleshooting.md and this list');
});

test('the troubleshooting page quotes each of them', () => {
  const absent = QUOTED.filter((fragment) => !PAGE.includes(fragment.replace(/\s+/g, ' ')));
  assert.deepEqual(absent, [], 'docs/troubleshooting.md does not quote these');
});

test('the README links the troubleshooting page', () => {
  assert.match(readFileSync(join(ROOT, 'README.md'), 'utf8'), /\]\(docs\/troubleshooting\.md\)/);
});
