// Measures the e2e fleet: boot time for N hosts, memory per host, stop time.
// Usage: node --import tsx scripts/fleet/boot-timing.ts [N...]   (default: 1 3 10; root, after setup.sh)
import { bootFleet } from '../../test/e2e/fleet/fleet.js';
import { processComm, pssBytes } from '../../test/e2e/fleet/system.js';

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function measure(count: number): Promise<void> {
  const started = Date.now();
  const fleet = await bootFleet({ count });
  const bootMs = Date.now() - started;
  // Let the hosts settle (journald flushes, logind idles) before sampling memory.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  let container = 0;
  let supervisor = 0;
  for (const host of fleet.hosts) {
    const pids = fleet.processes(host.name);
    const nspawn = pids.filter((pid) => processComm(pid) === 'systemd-nspawn');
    container += pssBytes(pids.filter((pid) => !nspawn.includes(pid)));
    supervisor += pssBytes(nspawn);
  }
  const blame = await fleet.exec(fleet.hosts[0], ['systemd-analyze', 'blame', '--no-pager']);
  const stopStarted = Date.now();
  await fleet.stop();
  const stopMs = Date.now() - stopStarted;
  console.log(
    `${count} host(s): ready in ${bootMs} ms; per host ${mib(container / count)} inside the container + ${mib(supervisor / count)} for nspawn (PSS); stop ${stopMs} ms`,
  );
  if (process.env.FLEET_BLAME) console.log(blame.stdout.split('\n').slice(0, 12).join('\n'));
  for (const event of fleet.events) if (!event.includes('running after')) console.log(`  ${event}`);
}

const counts = process.argv.slice(2).map(Number);
for (const count of counts.length ? counts : [1, 3, 10]) await measure(count);
