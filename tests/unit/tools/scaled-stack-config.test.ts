// The scaled stack's configuration files and HAProxy's statistics, as the native
// scaled stack (tools/scaled-stack.ts) writes and reads them.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { haproxyBackend, instanceStates, pgbouncerIni } from '../../../tools/scaled-stack-config.js';

// The first columns of HAProxy's /stats;csv as HAProxy 2.6 writes them.
const HEADER =
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act';
const row = (proxy: string, server: string, status: string) =>
  [proxy, server, ...Array(15).fill('0'), status, '1', '1'].join(',');

describe('instanceStates', () => {
  it("reads each instance's status from HAProxy's CSV, leaving other proxies and the backend's own row out", () => {
    const csv = [
      HEADER,
      row('stats', 'FRONTEND', 'OPEN'),
      row('instances', 'instance-1', 'UP'),
      row('instances', 'instance-2', 'DOWN'),
      row('instances', 'instance-3', 'UP 1/2'),
      row('instances', 'BACKEND', 'UP'),
      '',
    ].join('\n');
    expect(instanceStates(csv)).toEqual({ 'instance-1': 'UP', 'instance-2': 'DOWN', 'instance-3': 'UP 1/2' });
  });

  it('finds the columns by their names, wherever a version puts them', () => {
    const csv = ['# status,svname,pxname', 'MAINT,instance-1,instances', 'UP,instance-2,instances'].join('\n');
    expect(instanceStates(csv)).toEqual({ 'instance-1': 'MAINT', 'instance-2': 'UP' });
  });

  it('refuses what is not the statistics CSV instead of reading nothing', () => {
    expect(() => instanceStates('<html>503 Service Unavailable</html>')).toThrow(
      "not HAProxy's statistics CSV: <html>503 Service Unavailable</html>",
    );
  });
});

describe('the configuration files', () => {
  it("fill every placeholder of deploy/pgbouncer's template", async () => {
    const template = await readFile(
      new URL('../../../deploy/pgbouncer/pgbouncer.ini.template', import.meta.url),
      'utf8',
    );
    const ini = pgbouncerIni(template, {
      postgresHost: 'db.example',
      postgresPort: 5433,
      statementTimeoutMs: 1234,
      port: 6433,
      authFile: '/run/users.txt',
      poolSize: 7,
      instances: 3,
    });
    expect(ini).not.toContain('${');
    for (const value of ['db.example', '5433', '6433', '/run/users.txt', '= 7', '250']) expect(ini).toContain(value);
  });

  it('refuse a template naming a value it is not given', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the templates' own ${NAME}, not JavaScript's
    const placeholder = '${NOT_A_SETTING}';
    expect(() => pgbouncerIni(`listen = ${placeholder}`, {} as never)).toThrow(
      `the template names ${placeholder}, which has no value`,
    );
  });

  it('name the instances instance-1…N in the balancer, each checked', () => {
    expect(haproxyBackend([4001, 4002])).toBe(
      [
        'backend instances',
        '    balance roundrobin',
        '    server instance-1 127.0.0.1:4001 check',
        '    server instance-2 127.0.0.1:4002 check',
        '',
      ].join('\n'),
    );
  });
});
