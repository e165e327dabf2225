// The scaled stack's configuration files, written from the templates in deploy/
// (the compose stack uses the same ones), and what HAProxy's statistics say of
// the instances.

/** ${NAME} in `template` replaced from `values`; a name left unset is an error, not an empty setting. */
function render(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`the template names \${${name}}, which has no value`);
    return value;
  });
}

/** PgBouncer's configuration from deploy/pgbouncer's template, on 127.0.0.1. */
export function pgbouncerIni(
  template: string,
  options: {
    postgresHost: string;
    postgresPort: number;
    statementTimeoutMs: number;
    port: number;
    authFile: string;
    poolSize: number;
    /** Each instance's pool connects through it: room for them all, and for clients beside them. */
    instances: number;
  },
): string {
  return render(template, {
    POSTGRES_HOST: options.postgresHost,
    POSTGRES_PORT: String(options.postgresPort),
    POSTGRES_STATEMENT_TIMEOUT_MS: String(options.statementTimeoutMs),
    PGBOUNCER_LISTEN_ADDR: '127.0.0.1',
    PGBOUNCER_PORT: String(options.port),
    PGBOUNCER_AUTH_FILE: options.authFile,
    PGBOUNCER_POOL_SIZE: String(options.poolSize),
    PGBOUNCER_MAX_CLIENT_CONN: String(options.instances * 50 + 100),
  });
}

/** HAProxy's backend of the instances on `ports`, named instance-1…N, each health-checked. */
export function haproxyBackend(ports: number[]): string {
  const servers = ports.map((port, i) => `    server instance-${i + 1} 127.0.0.1:${port} check`);
  return ['backend instances', '    balance roundrobin', ...servers, ''].join('\n');
}

/**
 * Each instance's state (UP, DOWN, or in between) from HAProxy's /stats;csv, by
 * its header's column names (`# pxname,svname,…,status,…`), not by position.
 */
export function instanceStates(csv: string): Record<string, string> {
  const [header = '', ...lines] = csv.split('\n');
  const columns = header.replace(/^# /, '').split(',');
  const [proxy, server, status] = ['pxname', 'svname', 'status'].map((name) => columns.indexOf(name));
  if ([proxy, server, status].includes(-1)) throw new Error(`not HAProxy's statistics CSV: ${header.slice(0, 80)}`);
  const states: Record<string, string> = {};
  for (const line of lines) {
    const fields = line.split(',');
    const name = fields[server as number] ?? '';
    if (fields[proxy as number] === 'instances' && name.startsWith('instance-')) {
      states[name] = fields[status as number] ?? '';
    }
  }
  return states;
}
