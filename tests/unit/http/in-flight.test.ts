import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { InFlight } from '../../../src/http/in-flight.js';

const response = () => new ServerResponse(new IncomingMessage(new Socket()));

describe('InFlight', () => {
  it('counts and lists each response from add until its close, in any order of closing', () => {
    const inFlight = new InFlight();
    const [a, b, c, d] = [response(), response(), response(), response()];
    for (const r of [a, b, c, d]) inFlight.add(r);
    expect(inFlight.size).toBe(4);

    b.emit('close'); // from the middle: the last takes its place
    expect(inFlight.size).toBe(3);
    expect(new Set(inFlight.list())).toEqual(new Set([a, c, d]));

    d.emit('close'); // the one moved, from its new place
    a.emit('close'); // the first
    expect(inFlight.list()).toEqual([c]);
    c.emit('close');
    expect(inFlight.size).toBe(0);
    expect(inFlight.list()).toEqual([]);
  });

  it('forgets a response once, however often it says close, and takes it again when added again', () => {
    const inFlight = new InFlight();
    const [a, b] = [response(), response()];
    inFlight.add(a);
    inFlight.add(b);
    a.emit('close');
    a.emit('close');
    expect(inFlight.list()).toEqual([b]);
    inFlight.add(a);
    expect(inFlight.size).toBe(2);
    b.emit('close');
    expect(inFlight.list()).toEqual([a]);
  });

  it('hands out a copy: closing while iterating the list skips nothing', () => {
    const inFlight = new InFlight();
    const all = [response(), response(), response()];
    for (const r of all) inFlight.add(r);
    const seen = [];
    for (const r of inFlight.list()) {
      seen.push(r);
      r.emit('close');
    }
    expect(seen).toHaveLength(3);
    expect(inFlight.size).toBe(0);
  });
});
