// The deploy benchmark's Ansible baseline: a playbook copying index.html to every host, with a handler restarting its unit.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fleet } from '../test/e2e/fleet/fleet.js';
import { timed, timedOk, waitServes, type Cpu } from './deploy-run.js';

const SITE_DIR = '/srv/ansible-site';
const UNIT = 'ansible-site.service';

const PLAYBOOK = `- name: site
  hosts: all
  gather_facts: false
  tasks:
    - name: index.html
      ansible.builtin.copy:
        src: "{{ playbook_dir }}/files/{{ inventory_hostname }}/index.html"
        dest: ${SITE_DIR}/index.html
        mode: "0644"
      notify: restart site
  handlers:
    - name: restart site
      ansible.builtin.systemd:
        name: ${UNIT}
        state: restarted
`;

/** Ansible's environment with its home and temp dirs under `home`: nothing lands in the user's ~/.ansible. */
function ansibleEnv(home: string, config?: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, ANSIBLE_HOME: home, ANSIBLE_LOCAL_TEMP: join(home, 'tmp'), ANSIBLE_NOCOLOR: '1', ...(config && { ANSIBLE_CONFIG: config }) };
}

/** The first line of `ansible-playbook --version`, or null when it does not run. */
export async function ansibleVersion(): Promise<string | null> {
  const home = await mkdtemp(join(tmpdir(), 'deptool-bench-ansible-'));
  try {
    // spawn rejects when the program is missing: the same answer as a failing one.
    const result = await timed('ansible-playbook', ['--version'], { env: ansibleEnv(home) }).catch(() => null);
    return result?.code === 0 ? result.stdout.split('\n')[0] : null;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

export class AnsibleBaseline {
  private constructor(
    private readonly fleet: Fleet,
    private readonly dir: string,
    private readonly ports: ReadonlyMap<string, number>,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /**
   * Writes Ansible's config, inventory and playbook under `dir`, installs the unit on every
   * host and runs the playbook a first time: with no SSH connections to reuse yet, that run
   * is the cold figure (`firstRun`), like a first deploy of the day.
   */
  static async setup(fleet: Fleet, dir: string): Promise<{ ansible: AnsibleBaseline; firstRun: number }> {
    const ports = new Map<string, number>();
    for (const host of fleet.hosts) ports.set(host.name, await fleet.allocatePort());
    const home = join(dir, 'home');
    // Short: OpenSSH's ControlPath must fit a unix socket path (108 bytes).
    const controlDir = join(dir, 'cp');
    await mkdir(join(home, 'tmp'), { recursive: true });
    await mkdir(controlDir, { recursive: true, mode: 0o700 });
    await writeFile(
      join(dir, 'ansible.cfg'),
      [
        '[defaults]',
        `inventory = ${join(dir, 'inventory.ini')}`,
        `forks = ${fleet.hosts.length}`,
        'host_key_checking = True',
        // Skips interpreter discovery (one more round trip per host): makes Ansible faster, so the baseline stays conservative.
        'interpreter_python = /usr/bin/python3',
        'retry_files_enabled = False',
        '[ssh_connection]',
        'pipelining = True',
        `control_path_dir = ${controlDir}`,
        // A readable path instead of Ansible's hash, so closeConnections() can name each master.
        'control_path = %(directory)s/%%h-%%p-%%r',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'inventory.ini'),
      [
        '[site]',
        ...fleet.hosts.map((host) => `${host.name} ansible_host=${host.address} ansible_port=${host.port}`),
        '[site:vars]',
        'ansible_user=root',
        `ansible_ssh_private_key_file=${fleet.identityFile}`,
        `ansible_ssh_common_args='-o UserKnownHostsFile=${fleet.knownHostsFile} -o StrictHostKeyChecking=yes'`,
        '',
      ].join('\n'),
    );
    await writeFile(join(dir, 'site.yml'), PLAYBOOK);
    const env = ansibleEnv(home, join(dir, 'ansible.cfg'));

    await Promise.all(
      fleet.hosts.map(async (host) => {
        const unit = `[Unit]\nDescription=Ansible baseline site\n[Service]\nExecStart=/usr/bin/python3 -m http.server ${ports.get(host.name)} --bind 127.0.0.1 --directory ${SITE_DIR}\n[Install]\nWantedBy=multi-user.target\n`;
        const script = `mkdir -p ${SITE_DIR} && cat > /etc/systemd/system/${UNIT} && systemctl daemon-reload && systemctl enable --quiet ${UNIT}`;
        const result = await fleet.exec(host, ['sh', '-c', script], { input: unit });
        if (result.code !== 0) throw new Error(`installing ${UNIT} on ${host.name} failed: ${result.stderr}`);
      }),
    );
    const ansible = new AnsibleBaseline(fleet, dir, ports, env);
    return { ansible, firstRun: (await ansible.run('first')).seconds };
  }

  /**
   * Changes index.html for every host, runs the playbook and checks every host serves the
   * new file; returns the playbook's wall time and CPU. SSH connections of the previous run
   * are reused (Ansible's default ControlPersist).
   */
  async run(tag: string): Promise<{ seconds: number; cpu: Cpu }> {
    const content = new Map(this.fleet.hosts.map((host) => [host.name, `${host.name} ansible ${tag}\n`]));
    for (const [host, body] of content) {
      await mkdir(join(this.dir, 'files', host), { recursive: true });
      await writeFile(join(this.dir, 'files', host, 'index.html'), body);
    }
    const result = await timedOk(`ansible-playbook (${tag})`, 'ansible-playbook', ['site.yml'], { cwd: this.dir, env: this.env });
    for (const host of this.fleet.hosts) {
      // Both the copy and the handler must have run, or it was not the same change.
      if (!new RegExp(`^${host.name}\\s+: ok=2\\s+changed=2\\s+unreachable=0\\s+failed=0`, 'm').test(result.stdout)) {
        throw new Error(`ansible-playbook (${tag}) did not copy and restart on ${host.name}:\n${result.stdout}`);
      }
    }
    await Promise.all([...content].map(([host, body]) => waitServes(this.ports.get(host)!, body, `ansible on ${host}`)));
    return { seconds: result.seconds, cpu: result.cpu };
  }

  /** Ends the ControlPersist masters Ansible left running (each by its control socket). */
  async closeConnections(): Promise<void> {
    const controlDir = join(this.dir, 'cp');
    const sockets = await readdir(controlDir);
    await Promise.all(sockets.map((socket) => timed('ssh', ['-o', `ControlPath=${join(controlDir, socket)}`, '-O', 'exit', 'ansible-master'])));
  }
}
