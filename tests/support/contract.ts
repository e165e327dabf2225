// Contract checks for the external tier: `fetch` here is the global fetch plus a
// check of every response against the OpenAPI document the service serves: the
// status must be declared for that path and method, and a JSON body must match
// its schema (the error code among the ApiError enum's). So the document can't
// drift from the behaviour unnoticed. With API_TOKEN set, every request carries
// it, as a client of that deployment would. `apiClient` is the same, typed.
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import createClient from 'openapi-fetch';
import { expect } from 'vitest';
import type { paths } from './api-types.js';
import { authorization } from './provided.js';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
type Document = { paths: Record<string, Record<string, Operation>>; components?: object };

const ajv = new Ajv.default({ strict: false, allErrors: true }); // CommonJS: .default is the class at run time too
addFormats.default(ajv);
const documents = new Map<string, Promise<Document>>();
const validators = new Map<object, ValidateFunction>();

export async function fetch(input: string | Request, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  for (const [name, value] of Object.entries(authorization())) {
    if (!request.headers.has(name)) request.headers.set(name, value);
  }
  const response = await globalThis.fetch(request);
  await checkContract(request.url, request.method, response.clone());
  return response;
}

/**
 * A client typed from the document itself (tests/support/api-types.d.ts, made by
 * openapi-typescript), each exchange contract-checked like `fetch`: a route or
 * field the document gets wrong fails to compile or to validate.
 */
export function apiClient(baseUrl: string) {
  return createClient<paths>({ baseUrl, fetch: (request) => fetch(request) });
}

async function checkContract(input: string, method: string, response: Response): Promise<void> {
  const url = new URL(input);
  const document = await documentOf(url.origin);
  const [template, operations] = findPath(document, url.pathname);
  // HEAD is GET without the body (RFC 9110 §9.3.2): the document lists the GET.
  const operation = operations?.[method === 'HEAD' ? 'get' : method.toLowerCase()];
  const where = `${method} ${url.pathname} → ${response.status}`;
  expect(operation, `${where}: the document has no such operation (${template ?? 'no path'})`).toBeDefined();
  const responses = (operation as Operation).responses;
  const declared = responses[String(response.status)] ?? responses[`${String(response.status)[0]}XX`];
  expect(declared, `${where}: status not declared in the document`).toBeDefined();

  const schema = declared?.content?.['application/json']?.schema;
  if (!schema || method === 'HEAD' || !(response.headers.get('content-type') ?? '').startsWith('application/json'))
    return;
  // Compiled inside a copy of the document's components, where its $refs (ApiError) point.
  const validate = validators.get(schema) ?? ajv.compile({ allOf: [schema], components: document.components });
  validators.set(schema, validate);
  const valid = validate(await response.json());
  expect(valid, `${where}: body breaks the document: ${ajv.errorsText(validate.errors)}`).toBe(true);
}

function documentOf(origin: string): Promise<Document> {
  let document = documents.get(origin);
  if (!document) {
    document = globalThis.fetch(`${origin}/openapi.json`).then((r) => r.json() as Promise<Document>);
    documents.set(origin, document);
  }
  return document;
}

/** The path template matching `pathname`; the service ignores a trailing slash, so does this. */
function findPath(document: Document, pathname: string): [string | undefined, Record<string, Operation> | undefined] {
  const normalize = (path: string) => path.replace(/\/+$/, '') || '/';
  for (const [template, operations] of Object.entries(document.paths)) {
    const pattern = new RegExp(`^${normalize(template).replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(normalize(pathname))) return [template, operations];
  }
  return [undefined, undefined];
}
