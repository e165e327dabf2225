// The scaled stack without Docker (make run_scaled STACK=native): PostgreSQL (the
// embedded one, npm run db:start), Debian's PgBouncer in transaction mode, N
// instances of the production build behind it, and Debian's HAProxy in front,
// health-checking each instance's /health/ready. Every part is a process of its
// own on free ports, its pid in the stack's state file and its log beside it, so
// the stack outlives the command that starts it, and the scale-out tests can stop,
// kill and restart any part. Existing engines only: nothing here balances or pools.
import { spawn } from 'node:child_process';
import { access, chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRunning } from '../src/system/process-running.js';
import { acceptsConnections, launchDetached, stopProcess, untilReady } from './detached-process.js';
import { freePort } from './free-port.js';
import { haproxyBackend, instanceStates, pgbouncerIni } from './scaled-stack-config.js';
import { type Timing, waitForHttp200 } from './wait.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');

export interface ScaledStackSettings {
  /** Where the state file, the configurations, the logs and PostgreSQL's data live. */
  dir: string;
  /** The balancer's port: the stack's address. */
  apiPort: number;
  postgresPort: number;
  /** A PostgreSQL that runs already (the benchmark's): the stack starts none and stops none. */
  existingDatabase?: { host: string };
  pgbouncerPort: number;
  /** HAProxy's statistics page (/stats, ;csv for machines). */
  statsPort: number;
  instances: number;
  postgres: { user: string; password: string; database: string; statementTimeoutMs: number };
  /** PgBouncer's server connections (default_pool_size), within PostgreSQL's max_connections. */
  pgbouncerPoolSize: number;
  /** How often HAProxy checks each instance; two failed checks take it out. */
  checkIntervalMs: number;
  /** Each instance's SHUTDOWN_DRAIN_MS: longer than two check intervals. */
  drainMs: number;
  graceMs: number;
  wait: Timing;
  /** More environment for every instance (POSTGRES_POOL_SIZE, LOG_LEVEL…). */
  instanceEnv?: Record<string, string>;
}

interface State {
  settings: ScaledStackSettings;
  instancePorts: number[];
  pids: { database?: number; pgbouncer?: number; balancer?: number; instances: Array<number | undefined> };
}

export class ScaledStackError extends Error {
  override name = 'ScaledStackError';
}

const stateFile = (dir: string) => join(dir, 'stack.json');

/** The running stack described by `dir`'s state file, if there is one. */
export async function attachScaledStack(dir: string): Promise<ScaledStack | undefined> {
  const text = await readFile(stateFile(dir), 'utf8').catch(() => undefined);
  return text ? new ScaledStack(JSON.parse(text) as State) : undefined;
}

/** Starts every part, in order: database, pooler, instances, balancer; resolves once the balancer answers. */
export async function startScaledStack(settings: ScaledStackSettings): Promise<ScaledStack> {
  await requireTools();
  await access(join(ROOT, 'dist', 'process', 'server.js')).catch(() => {
    throw new ScaledStackError('the instances run the production build, and there is none: run npm run build');
  });
  await mkdir(settings.dir, { recursive: true });
  await chmod(settings.dir, 0o755); // the embedded PostgreSQL may run as another OS user
  const instancePorts = await Promise.all(Array.from({ length: settings.instances }, () => freePort()));
  const stack = new ScaledStack({ settings, instancePorts, pids: { instances: [] } });
  try {
    if (!settings.existingDatabase) await stack.startDatabase();
    await stack.startPgbouncer();
    await Promise.all(instancePorts.map((_, i) => stack.startInstance(i)));
    await stack.startBalancer();
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

export class ScaledStack {
  constructor(private readonly state: State) {}

  get settings(): ScaledStackSettings {
    return this.state.settings;
  }
  get url(): string {
    return `http://127.0.0.1:${this.settings.apiPort}`;
  }
  get statsUrl(): string {
    return `http://127.0.0.1:${this.settings.statsPort}/stats`;
  }
  instancePid(index: number): number | undefined {
    return this.state.pids.instances[index];
  }
  /** The processes between the client and PostgreSQL: the balancer, the instances, the pooler. */
  get servicePids(): number[] {
    const { balancer, pgbouncer, instances } = this.state.pids;
    return [balancer, ...instances, pgbouncer].filter((pid): pid is number => pid !== undefined);
  }

  async startDatabase(): Promise<void> {
    const { dir, postgresPort, postgres } = this.settings;
    this.state.pids.database = await this.launch(
      'postgres',
      process.execPath,
      ['--import', 'tsx', 'src/dev/db-start.ts'],
      {
        POSTGRES_PORT: String(postgresPort),
        POSTGRES_USER: postgres.user,
        POSTGRES_PASSWORD: postgres.password,
        POSTGRES_DB: postgres.database,
        EMBEDDED_POSTGRES_DATA_DIR: join(dir, 'postgres'),
      },
    );
    await this.until('PostgreSQL', 'postgres', () => acceptsConnections(postgresPort), this.state.pids.database);
  }

  /** PgBouncer with its configuration written from the template, running as `postgres` when we are root. */
  async startPgbouncer(): Promise<void> {
    const { dir, postgresPort, pgbouncerPort, postgres, pgbouncerPoolSize, instances } = this.settings;
    const authFile = join(dir, 'pgbouncer-users.txt');
    await writeFile(authFile, `"${postgres.user}" "${postgres.password}"\n`, { mode: 0o600 });
    const ini = pgbouncerIni(await readFile(join(DEPLOY, 'pgbouncer', 'pgbouncer.ini.template'), 'utf8'), {
      postgresHost: this.settings.existingDatabase?.host ?? '127.0.0.1',
      postgresPort,
      statementTimeoutMs: postgres.statementTimeoutMs,
      port: pgbouncerPort,
      authFile,
      poolSize: pgbouncerPoolSize,
      instances,
    });
    const iniFile = join(dir, 'pgbouncer.ini');
    await writeFile(iniFile, ini, { mode: 0o600 });
    // PgBouncer refuses to run as root; it reads both files before it switches user.
    const asPostgres = userInfo().uid === 0 ? ['-u', 'postgres'] : [];
    this.state.pids.pgbouncer = await this.launch('pgbouncer', 'pgbouncer', [...asPostgres, iniFile]);
    await this.until('PgBouncer', 'pgbouncer', () => acceptsConnections(pgbouncerPort), this.state.pids.pgbouncer);
  }

  /** PgBouncer's immediate shutdown (SIGTERM): every client connection is cut. */
  async stopPgbouncer(): Promise<void> {
    await this.stopPart('pgbouncer', 'SIGTERM', 5_000);
  }

  /** Instance `index` of the backend, on its own port; resolves once it answers GET / directly. */
  async startInstance(index: number, env: Record<string, string> = {}): Promise<void> {
    const port = this.state.instancePorts[index];
    if (port === undefined) throw new ScaledStackError(`no instance ${index}`);
    this.state.pids.instances[index] = await this.launchService(`instance-${index + 1}`, port, env);
  }

  /** A service process outside the backend (the migration race), on `port`, against the stack's pooler. */
  async launchService(name: string, port: number, env: Record<string, string> = {}): Promise<number> {
    const { pgbouncerPort, postgres, drainMs, graceMs, instanceEnv } = this.settings;
    const pid = await this.launch(name, process.execPath, ['dist/process/server.js'], {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      API_PORT: String(port),
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: String(pgbouncerPort),
      POSTGRES_USER: postgres.user,
      POSTGRES_PASSWORD: postgres.password,
      POSTGRES_DB: postgres.database,
      POSTGRES_STATEMENT_TIMEOUT_MS: String(postgres.statementTimeoutMs),
      // Transaction pooling can't keep a connection's prepared statements (PgBouncer 1.18).
      POSTGRES_PREPARE: 'false',
      SHUTDOWN_DRAIN_MS: String(drainMs),
      SHUTDOWN_GRACE_MS: String(graceMs),
      API_TOKEN: '',
      ...instanceEnv,
      ...env,
    });
    await this.until(name, name, () => waitForHttp200(`http://127.0.0.1:${port}/`, this.settings.wait), pid);
    return pid;
  }

  /** SIGTERM (drain, then close) or SIGKILL to instance `index`; resolves once it has exited. */
  async stopInstance(index: number, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const pid = this.state.pids.instances[index];
    this.state.pids.instances[index] = undefined;
    await this.save();
    if (pid) await stopProcess(pid, signal, this.settings.drainMs + this.settings.graceMs + 5_000);
  }

  async startBalancer(): Promise<void> {
    const { dir, apiPort, statsPort, checkIntervalMs } = this.settings;
    const backend = join(dir, 'haproxy-backend.cfg');
    await writeFile(backend, haproxyBackend(this.state.instancePorts));
    this.state.pids.balancer = await this.launch(
      'haproxy',
      'haproxy',
      ['-db', '-f', join(DEPLOY, 'haproxy', 'haproxy.cfg'), '-f', backend],
      {
        CHECK_INTERVAL: `${checkIntervalMs}ms`,
        HAPROXY_CONFIG_DIR: join(DEPLOY, 'haproxy'),
        BALANCER_BIND: `127.0.0.1:${apiPort}`,
        STATS_BIND: `127.0.0.1:${statsPort}`,
      },
    );
    await this.until(
      'HAProxy',
      'haproxy',
      () => waitForHttp200(`${this.url}/`, this.settings.wait),
      this.state.pids.balancer,
    );
  }

  /** What HAProxy says of each instance: UP, DOWN, or in between (from /stats;csv). */
  async instanceStates(): Promise<Record<string, string>> {
    return instanceStates(await (await fetch(`${this.statsUrl};csv`)).text());
  }

  /** Everything, balancer first (no new requests), then the instances (each drains), the pooler, the database. */
  async stop(): Promise<void> {
    const { drainMs, graceMs } = this.settings;
    await this.stopPart('balancer', 'SIGTERM', 5_000);
    await Promise.all(
      this.state.pids.instances.map((pid) => pid && stopProcess(pid, 'SIGTERM', drainMs + graceMs + 5_000)),
    );
    this.state.pids.instances = [];
    await this.stopPart('pgbouncer', 'SIGTERM', 5_000);
    await this.stopPart('database', 'SIGTERM', 30_000);
    await rm(stateFile(this.settings.dir), { force: true });
  }

  /** Which parts run, by name, for `scripts/scaled-stack status`. */
  async status(): Promise<Record<string, boolean>> {
    const { database, pgbouncer, balancer, instances } = this.state.pids;
    const parts: Record<string, number | undefined> = { database, pgbouncer, balancer };
    instances.forEach((pid, i) => {
      parts[`instance-${i + 1}`] = pid;
    });
    const running: Record<string, boolean> = {};
    for (const [name, pid] of Object.entries(parts)) running[name] = pid !== undefined && (await isRunning(pid));
    return running;
  }

  private async stopPart(part: 'database' | 'pgbouncer' | 'balancer', signal: NodeJS.Signals, timeoutMs: number) {
    const pid = this.state.pids[part];
    this.state.pids[part] = undefined;
    if (pid) await stopProcess(pid, signal, timeoutMs);
    await this.save();
  }

  /** Starts a part as a detached process (tools/detached-process.ts) logging to `<name>.log`; records it. */
  private async launch(name: string, command: string, args: string[], env: Record<string, string> = {}) {
    const logFile = join(this.settings.dir, `${name}.log`);
    const pid = await launchDetached(command, args, { cwd: ROOT, env, logFile }).catch((error) => {
      throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? new ScaledStackError(missingTool(command)) : error;
    });
    await this.save();
    return pid;
  }

  /** Waits for `ready`, failing at once (with the end of `<part>.log`) if `pid` exits first. */
  private async until(name: string, part: string, ready: () => Promise<unknown>, pid?: number) {
    const logFile = join(this.settings.dir, `${part}.log`);
    await untilReady(name, ready, { pid, wait: this.settings.wait, logFile }).catch((error: Error) => {
      throw new ScaledStackError(error.message);
    });
    await this.save();
  }

  private async save() {
    await writeFile(stateFile(this.settings.dir), JSON.stringify(this.state, null, 2));
  }
}

const DEBIAN_PACKAGES: Record<string, string> = { pgbouncer: 'pgbouncer', haproxy: 'haproxy' };

/** One line naming the packages, where tools the stack runs are missing: all of them at once. */
function missingTools(commands: string[]): string {
  const packages = commands.map((command) => DEBIAN_PACKAGES[command] ?? command).join(' ');
  return `${commands.join(' and ')} ${commands.length > 1 ? 'are' : 'is'} not installed: apt-get install ${packages} (Debian/Ubuntu), or brew install ${commands.join(' ')}`;
}
const missingTool = (command: string) => missingTools([command]);

async function requireTools(): Promise<void> {
  const found = await Promise.all(
    ['pgbouncer', 'haproxy'].map(
      (command) =>
        new Promise<string | undefined>((resolve) => {
          const probe = spawn(command, ['-V'], { stdio: 'ignore' });
          probe.once('error', () => resolve(command));
          probe.once('exit', () => resolve(undefined));
        }),
    ),
  );
  const missing = found.filter((command) => command !== undefined);
  if (missing.length) throw new ScaledStackError(missingTools(missing));
}
