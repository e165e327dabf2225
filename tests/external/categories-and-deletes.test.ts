// Categories and DELETE over HTTP, against the running service, through the
// client typed from its OpenAPI document, every exchange checked against it. The
// service's database holds other notes: each test files its own under a random
// category, so its listings are exact.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiClient, fetch } from '../support/contract.js';
import { appUrl } from '../support/provided-service.js';

const url = appUrl();
const api = apiClient(url);
const newCategory = () => `category ${randomUUID()} & more/`;

async function create(contents: string, category?: string) {
  const { data, response } = await api.POST('/notes/', { body: { contents, category } });
  if (!data) throw new Error(`create answered ${response.status}`);
  return data;
}

/** Every page of ?category=, following each Link as a client would. */
async function pagesOf(category: string, limit: number) {
  const pages: string[][] = [];
  let next: string | undefined = `/notes/?limit=${limit}&category=${encodeURIComponent(category)}`;
  while (next) {
    const response = await fetch(`${url}${next}`);
    expect(response.status).toBe(200);
    pages.push(((await response.json()) as Array<{ contents: string }>).map((note) => note.contents));
    next = /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1];
  }
  return pages;
}

describe('categories over HTTP', () => {
  it('come back on the note from every read, "" when none was sent', async () => {
    const category = newCategory();
    const note = await create(`filed ${randomUUID()}`, category);
    expect(note.category).toBe(category);
    expect((await api.GET('/notes/{id}/', { params: { path: { id: String(note.id) } } })).data).toEqual(note);
    expect((await create(`loose ${randomUUID()}`)).category).toBe('');
  });

  it('filter the streamed listing and the pages, whose Links keep the category', async () => {
    const category = newCategory();
    for (const contents of ['a', 'b', 'c', 'd', 'e']) await create(contents, category);
    await create('elsewhere', newCategory());
    const streamed = await api.GET('/notes/', { params: { query: { category } } });
    expect(streamed.data?.map((note) => note.contents)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await pagesOf(category, 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });
});

describe('DELETE /notes/{id}/ over HTTP', () => {
  it('answers 200 with the note; then GET, both listings and a second DELETE no longer find it', async () => {
    const category = newCategory();
    const kept = await create('kept', category);
    const gone = await create('gone', category);
    const path = { params: { path: { id: String(gone.id) } } };

    const deleted = await api.DELETE('/notes/{id}/', path);
    expect([deleted.response.status, deleted.data]).toEqual([200, gone]);

    const read = await api.GET('/notes/{id}/', path);
    expect([read.response.status, read.error]).toEqual([
      404,
      { error: 'not_found', message: `note ${gone.id} does not exist` },
    ]);
    const streamed = await api.GET('/notes/', { params: { query: { category } } });
    expect(streamed.data).toEqual([kept]);
    expect(await pagesOf(category, 10)).toEqual([['kept']]);
    const again = await api.DELETE('/notes/{id}/', path);
    expect(again.response.status).toBe(404);
  });
});
