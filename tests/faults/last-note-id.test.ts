// Note ids end at Number.MAX_SAFE_INTEGER (migrations/003): every id a client
// reads is exact, in a JSON number, a Location and a page's Link cursor; past
// the last one, a create is a 507 in the error shape and stores nothing. From
// outside, on a stack of its own whose identity starts just before the end.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { postNote, useFaultStack } from '../support/fault-stack.js';

const LAST = 9_007_199_254_740_991;
const stack = useFaultStack();
beforeAll(async () => {
  await stack.startDatabase();
  await stack.startService();
  await stack.withDatabase((sql) => sql.unsafe(`alter table notes alter column id restart with ${LAST - 1}`));
});

const json = async (response: Response) => [response.status, await response.json()];

describe('the last note ids', () => {
  it('are exact in the body, Location, GET and the Link cursor; past them a create is a 507', async () => {
    const { url } = stack.service();
    const second = await postNote(url, 'next to last');
    const last = await postNote(url, 'the last', { 'idempotency-key': randomUUID() });
    expect(await json(second)).toEqual([
      201,
      { id: LAST - 1, contents: 'next to last', category: '', creation_date: expect.any(String) },
    ]);
    expect(second.headers.get('location')).toBe('/notes/9007199254740990/');
    expect(last.headers.get('location')).toBe('/notes/9007199254740991/');
    expect(((await (await fetch(`${url}/notes/9007199254740991/`)).json()) as { contents: string }).contents).toBe(
      'the last',
    );

    const page = await fetch(`${url}/notes/?limit=1&after=9007199254740989`);
    expect(((await page.json()) as Array<{ id: number }>).map((note) => note.id)).toEqual([LAST - 1]);
    expect(page.headers.get('link')).toBe('</notes/?limit=1&after=9007199254740990>; rel="next"');
    const next = await fetch(`${url}/notes/?limit=1&after=9007199254740990`);
    expect(((await next.json()) as Array<{ id: number }>).map((note) => note.id)).toEqual([LAST]);
    expect(next.headers.get('link')).toBeNull();

    const key = randomUUID();
    for (const headers of [{}, { 'idempotency-key': key }] as Array<Record<string, string>>) {
      const refused = await postNote(url, 'one too many', headers);
      expect(await json(refused)).toEqual([
        507,
        { error: 'insufficient_storage', message: 'no note id is left: ids end at 9007199254740991' },
      ]);
    }
    const again = await postNote(url, 'one too many', { 'idempotency-key': key });
    expect(again.status).toBe(507); // the key was not stored with the failed create
    const all = (await (await fetch(`${url}/notes/`)).json()) as Array<{ contents: string }>;
    expect(all.filter((note) => note.contents === 'one too many')).toEqual([]);
  });

  it('answers ids and cursors past the last one as no note (404) and a bad cursor (400)', async () => {
    const { url } = stack.service();
    expect((await fetch(`${url}/notes/9007199254740992/`)).status).toBe(404);
    expect(await json(await fetch(`${url}/notes/?after=9007199254740992`))).toEqual([
      400,
      { error: 'invalid_request', message: 'querystring/after must be a note id, at most 9007199254740991' },
    ]);
    expect(await json(await fetch(`${url}/notes/?after=9007199254740991`))).toEqual([200, []]);
  });
});
