// Typed, checked reads of environment variables, for the service's config and the
// benchmark's settings alike: a bad value throws ConfigError naming the variable
// and the form it takes, and each read can report itself for the documentation.

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** One setting as loadConfig reads it, for the documentation generated from it (docs/configuration.md). */
export interface Setting {
  name: string;
  /** As written in the environment; undefined: unset by default. */
  default: string | undefined;
  /** The values it takes, e.g. "0 to 65535". */
  accepts: string;
  doc: string;
}
export type RecordSetting = (setting: Setting) => void;

/**
 * Typed, checked reads of environment variables; a bad value throws ConfigError
 * naming it. With `record`, each read also reports what it reads.
 */
export function reader(env: NodeJS.ProcessEnv, record: RecordSetting = () => {}) {
  const raw = (name: string): string | undefined => {
    // An empty variable counts as unset, as in docker-compose's `VAR=`.
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const parseInteger = (name: string, value: string, min: number, max: number): number => {
    const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
    }
    return parsed;
  };
  const integer = (name: string, fallback: number, min: number, max: number, doc = ''): number => {
    record({ name, default: String(fallback), accepts: `${min} to ${max}`, doc });
    const value = raw(name);
    return value === undefined ? fallback : parseInteger(name, value, min, max);
  };
  return {
    integer,
    /** Comma-separated whole numbers, each within [min, max]. */
    integers(name: string, fallback: number[], min: number, max: number, doc = ''): number[] {
      record({ name, default: fallback.join(','), accepts: `${min} to ${max}, comma-separated`, doc });
      const value = raw(name);
      if (value === undefined) return fallback;
      return value.split(',').map((part) => parseInteger(`each of ${name}`, part.trim(), min, max));
    },
    port: (name: string, fallback: number, min: number, doc = '') => integer(name, fallback, min, 65_535, doc),
    optionalString(name: string, doc = ''): string | undefined {
      record({ name, default: undefined, accepts: 'text', doc });
      return raw(name);
    },
    boolean(name: string, fallback: boolean, doc = ''): boolean {
      record({ name, default: String(fallback), accepts: 'true or false', doc });
      const value = raw(name);
      if (value === undefined) return fallback;
      // Exactly the two words the docs name: a typo or "1" is an error, never a guess.
      if (value === 'true') return true;
      if (value === 'false') return false;
      throw new ConfigError(`${name} must be true or false, got "${value}"`);
    },
    string(name: string, fallback: string, doc = ''): string {
      record({ name, default: fallback, accepts: 'text', doc });
      return raw(name) ?? fallback;
    },
    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T, doc = ''): T {
      record({ name, default: fallback, accepts: allowed.join(', '), doc });
      const value = raw(name);
      if (value === undefined) return fallback;
      if (!(allowed as readonly string[]).includes(value)) {
        throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
      }
      return value as T;
    },
  };
}
