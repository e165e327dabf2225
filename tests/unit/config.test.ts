import { describe, expect, it } from 'vitest';
import { describeSettings, loadConfig } from '../../src/config.js';
import { ConfigError, reader } from '../../src/config-reader.js';
import { settingsFiles, staleFiles } from '../../tools/generated-files.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      apiPort: 8080,
      logLevel: 'info',
      noteMaxLength: 100_000,
      postgres: { host: undefined, port: 5432, user: 'postgres', password: 'postgres', database: 'postgres' },
      embeddedPostgres: { dataDir: '.data/postgres' },
    });
  });

  it('reads every variable it is given', () => {
    const config = loadConfig({
      API_PORT: '9000',
      POSTGRES_HOST: 'database',
      POSTGRES_PORT: '6543',
      POSTGRES_WAIT_TIMEOUT_MS: '1500',
      LOG_LEVEL: 'debug',
    });
    expect(config.apiPort).toBe(9000);
    expect(config.postgres).toMatchObject({ host: 'database', port: 6543, waitTimeoutMs: 1500 });
    expect(config.logLevel).toBe('debug');
  });

  it('treats an empty variable as unset, as compose does for VAR=', () => {
    expect(loadConfig({ POSTGRES_HOST: '', API_PORT: '' })).toMatchObject({
      apiPort: 8080,
      postgres: { host: undefined },
    });
  });

  it.each([
    ['API_PORT', '80a', /^API_PORT must be a whole number from 0 to 65535, got "80a"$/],
    ['API_PORT', '65536', /^API_PORT must be/],
    ['POSTGRES_PORT', '0', /^POSTGRES_PORT must be a whole number from 1 to 65535/],
    ['POSTGRES_WAIT_INTERVAL_MS', '-5', /^POSTGRES_WAIT_INTERVAL_MS must be/],
    ['SHUTDOWN_GRACE_MS', '1.5', /^SHUTDOWN_GRACE_MS must be/],
    ['METRICS_ENABLED', 'maybe', /^METRICS_ENABLED must be true or false, got "maybe"$/],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"$/],
  ])('rejects %s=%s with one line naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('rejects a body limit too small for a note of the maximum length, and takes one just large enough', () => {
    expect(() => loadConfig({ NOTE_MAX_LENGTH: '1000', BODY_LIMIT_BYTES: '6699' })).toThrow(
      /^BODY_LIMIT_BYTES must be at least 6 × NOTE_MAX_LENGTH \+ 700 \(= 6700\), got 6699$/,
    );
    expect(loadConfig({ NOTE_MAX_LENGTH: '1000', BODY_LIMIT_BYTES: '6700' }).bodyLimitBytes).toBe(6700);
  });

  it('rejects a pool no larger than twice the coalesced statements in flight, and takes one a connection above', () => {
    expect(() => loadConfig({ POSTGRES_POOL_SIZE: '6', POSTGRES_BATCH_MAX_IN_FLIGHT: '3' })).toThrow(
      new ConfigError('POSTGRES_POOL_SIZE must be above 2 × POSTGRES_BATCH_MAX_IN_FLIGHT (6), got 6'),
    );
    expect(loadConfig({ POSTGRES_POOL_SIZE: '7', POSTGRES_BATCH_MAX_IN_FLIGHT: '3' }).postgres).toMatchObject({
      poolSize: 7,
      batching: { maxInFlight: 3 },
    });
    expect(() => loadConfig({ POSTGRES_POOL_SIZE: '4' })).toThrow(/^POSTGRES_POOL_SIZE must be above/);
  });

  it('rejects a headers timeout longer than the whole request’s, and takes an equal one', () => {
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '1001' })).toThrow(
      new ConfigError('HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS (1000), got 1001'),
    );
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '1000' }).headersTimeoutMs).toBe(1000);
  });

  it.each([
    ['true', true],
    ['false', false],
  ])('takes METRICS_ENABLED=%s', (value, enabled) => {
    expect(loadConfig({ METRICS_ENABLED: value }).metricsEnabled).toBe(enabled);
  });

  it.each(['1', '0', 'yes', 'no', 'TRUE', 'False', 'on', ' true'])(
    'takes nothing but what the docs name for METRICS_ENABLED: rejects %j',
    (value) => {
      expect(() => loadConfig({ METRICS_ENABLED: value })).toThrow(
        new ConfigError(`METRICS_ENABLED must be true or false, got "${value}"`),
      );
    },
  );

  it('returns a frozen config, nested parts included', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.postgres)).toBe(true);
  });
});

describe('reader', () => {
  it('reads a comma-separated list of whole numbers, each checked', () => {
    expect(reader({ SCALES: '1000, 1000000' }).integers('SCALES', [1], 1, 10_000_000)).toEqual([1000, 1_000_000]);
    expect(reader({}).integers('SCALES', [7], 1, 10)).toEqual([7]);
    expect(() => reader({ SCALES: '1000,abc' }).integers('SCALES', [1], 1, 10_000)).toThrow(
      /^each of SCALES must be a whole number from 1 to 10000, got "abc"$/,
    );
  });
});

describe('describeSettings', () => {
  it('documents every setting loadConfig reads, each once, with its default and what it takes', () => {
    const settings = describeSettings();
    const names = settings.map((setting) => setting.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['API_PORT', 'POSTGRES_HOST', 'SHUTDOWN_GRACE_MS']));
    for (const setting of settings) {
      expect(setting.doc, setting.name).not.toBe('');
      expect(setting.accepts, setting.name).not.toBe('');
    }
    expect(settings.find((setting) => setting.name === 'API_PORT')).toMatchObject({
      default: '8080',
      accepts: '0 to 65535',
    });
    expect(settings.find((setting) => setting.name === 'POSTGRES_HOST')?.default).toBeUndefined();
  });

  it('gives defaults that load back into the default config', () => {
    const env = Object.fromEntries(
      describeSettings().flatMap((setting) => (setting.default === undefined ? [] : [[setting.name, setting.default]])),
    );
    expect(loadConfig(env)).toEqual(loadConfig({}));
  });
});

describe('the settings users read', () => {
  it('are what the service reads: docs/configuration.md and .env.example match the code', async () => {
    expect(await staleFiles(await settingsFiles())).toEqual([]);
  });
});
