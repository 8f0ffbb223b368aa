// Benchmark: a command's round trip on an open connection (exec of `true`), deptool's SSH
// transport against OpenSSH's multiplexed connection to the same host, in the same run.
// With Nagle's algorithm left on, deptool's round trip was 50-90 ms over loopback (a
// delayed ACK per round trip); with TCP_NODELAY it is a few ms.
//
// Usage: node --import tsx bench/ssh-roundtrip.ts [--count N]   (root, after scripts/fleet/setup.sh)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ping, summarize } from '../src/transport/ping.js';
import { connectSsh } from '../src/transport/ssh.js';
import { bootFleet, fleetUnavailable } from '../test/e2e/fleet/fleet.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '50' } } });
const COUNT = Number(values.count);
const unavailable = fleetUnavailable();
if (unavailable) throw new Error(unavailable);

const fleet = await bootFleet({ count: 1, prefix: 'rtt' });
try {
  const host = fleet.hosts[0];
  const connection = await connectSsh(
    {
      host: host.name,
      transport: 'ssh',
      alias: host.name,
      hostName: host.address,
      port: host.port,
      user: 'root',
      identityFiles: [],
      knownHostsFiles: [fleet.knownHostsFile],
      proxyJump: null,
      expectedHostname: host.name,
    },
    { privateKeys: [Buffer.from(fleet.privateKeyPem)] },
    { connectTimeoutMs: 10_000, keepaliveIntervalMs: 5_000, keepaliveCountMax: 3 },
  );
  await ping(connection, 5);
  const deptool = await ping(connection, COUNT);
  await connection.close();

  const socket = join(fleet.dir, 'control');
  const ssh = (...args: string[]) => spawnSync('ssh', ['-F', fleet.sshConfigFile, '-S', socket, ...args, host.name, 'true']);
  if (ssh('-M', '-o', 'ControlPersist=60', '-f', '-N').status !== 0) throw new Error('cannot open the OpenSSH control master');
  const samples: number[] = [];
  for (let i = 0; i < COUNT + 5; i++) {
    const started = performance.now();
    if (ssh().status !== 0) throw new Error('ssh over the control master failed');
    if (i >= 5) samples.push(performance.now() - started);
  }
  spawnSync('ssh', ['-F', fleet.sshConfigFile, '-S', socket, '-O', 'exit', host.name]);
  const openssh = summarize(samples);

  console.log(`exec round trip on an open connection, median of ${COUNT}:`);
  console.log(`  deptool (ssh2, TCP_NODELAY)       ${deptool.medianMs.toFixed(1)} ms (p95 ${deptool.p95Ms.toFixed(1)} ms)`);
  console.log(`  OpenSSH multiplexed (ssh -S)      ${openssh.medianMs.toFixed(1)} ms (p95 ${openssh.p95Ms.toFixed(1)} ms), a process per command`);
  console.log(`  ratio deptool / OpenSSH           ${(deptool.medianMs / openssh.medianMs).toFixed(2)}`);
} finally {
  await fleet.stop();
}
