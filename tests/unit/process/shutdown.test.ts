// Shutdown on its own: the order closers run in, that each runs once however
// many ask for a shutdown, the exit code, and what a signal, a duplicate
// delivery of it and a second one do.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Shutdown } from '../../../src/process/shutdown.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A Shutdown on a fake process: its exits and log lines recorded, its signals sent by the test. */
function shutdown() {
  const exits: number[] = [];
  const lines: string[] = [];
  const signals = new EventEmitter();
  const instance = new Shutdown((line) => lines.push(line), { exit: (code) => exits.push(code), signals });
  return { instance, exits, lines, signals };
}

/** A closer that records its start and end, and ends when `release` is called. */
function step(name: string, order: string[]) {
  let release = () => {};
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  const closer = async () => {
    order.push(`${name} start`);
    await done;
    order.push(`${name} end`);
  };
  return { closer, release };
}

describe('Shutdown', () => {
  it('runs the closers newest first, each after the one before ended, then exits with the code', async () => {
    const { instance, exits } = shutdown();
    const order: string[] = [];
    for (const name of ['postgres', 'pool', 'http']) {
      instance.add(async () => {
        order.push(name);
      });
    }
    await instance.run(0);
    expect(order).toEqual(['http', 'pool', 'postgres']);
    expect(exits).toEqual([0]);
  });

  it('runs each closer once when a second shutdown comes while the first runs, which it waits for', async () => {
    const { instance, exits } = shutdown();
    const order: string[] = [];
    const postgres = step('postgres', order);
    const http = step('http', order);
    instance.add(postgres.closer);
    instance.add(http.closer);

    const first = instance.run(0);
    let secondEnded = false;
    const second = instance.run(1).then(() => {
      secondEnded = true;
    });
    await Promise.resolve();
    expect(order).toEqual(['http start']);
    expect(secondEnded).toBe(false);
    http.release();
    await vi.waitFor(() => expect(order).toEqual(['http start', 'http end', 'postgres start']));
    postgres.release();
    await Promise.all([first, second]);

    expect(order).toEqual(['http start', 'http end', 'postgres start', 'postgres end']);
    expect(exits).toEqual([1]); // once, with the higher code asked for
  });

  it('runs the rest when a closer fails, says which failed, and exits 1', async () => {
    const { instance, exits, lines } = shutdown();
    const ran: string[] = [];
    instance.add(async () => {
      ran.push('first added');
    });
    instance.add(async () => {
      throw new Error('pool would not close');
    });
    await instance.run(0);
    expect(ran).toEqual(['first added']);
    expect(lines).toEqual(['shutdown step failed: pool would not close']);
    expect(exits).toEqual([1]);
  });

  it('runs a closer added while shutting down (a start that was still under way)', async () => {
    const { instance, exits } = shutdown();
    const ran: string[] = [];
    instance.add(async () => {
      ran.push('early');
      instance.add(async () => {
        ran.push('late');
      });
    });
    await instance.run(0);
    expect(ran).toEqual(['early', 'late']);
    expect(exits).toEqual([0]);
  });

  it('closes what had started and exits 1 when a start-up step fails', async () => {
    const { instance, exits } = shutdown();
    const closed: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await instance.start(async () => {
        instance.add(async () => {
          closed.push('database');
        });
        throw new Error('API_PORT 8080 is taken');
      });
      expect(stderr).toHaveBeenCalledWith('notes-service: failed to start: API_PORT 8080 is taken\n');
    } finally {
      stderr.mockRestore();
    }
    expect(closed).toEqual(['database']);
    expect(exits).toEqual([1]);
  });

  it.each(['SIGTERM', 'SIGINT'])('shuts down with exit code 0 on %s, saying so', async (signal) => {
    const { instance, exits, lines, signals } = shutdown();
    const closed: string[] = [];
    instance.add(async () => {
      closed.push('http');
    });
    signals.emit(signal);
    await instance.run(0); // the same shutdown, already under way
    expect(closed).toEqual(['http']);
    expect(exits).toEqual([0]);
    expect(lines).toEqual([`${signal}: shutting down`]);
  });

  it('takes the same signal again within 500 ms as one delivered twice, and a later one as "exit now"', async () => {
    vi.useFakeTimers({ now: 0 });
    const { instance, exits, lines, signals } = shutdown();
    instance.add(() => new Promise(() => {})); // a closer that never ends
    signals.emit('SIGINT');
    vi.setSystemTime(499);
    signals.emit('SIGINT'); // the terminal's and npm's copy of one Ctrl-C
    expect(exits).toEqual([]);
    vi.setSystemTime(500);
    signals.emit('SIGINT');
    expect(exits).toEqual([1]);
    expect(lines).toEqual(['SIGINT: shutting down', 'SIGINT again: exiting without waiting']);
    void instance;
  });
});
