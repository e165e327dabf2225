// Contract checks for the external tier: `fetch` here is the global fetch plus a
// check of every response against the OpenAPI document the service serves: the
// status must be declared for that path and method, and a JSON body must match
// its schema. So the document can't drift from the behaviour unnoticed. With
// API_TOKEN set, every request carries it, as a client of that deployment would.
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { authorization } from './settings.js';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

const ajv = new Ajv.default({ strict: false, allErrors: true }); // CommonJS: .default is the class at run time too
addFormats.default(ajv);
const documents = new Map<string, Promise<Document>>();
const validators = new Map<object, ValidateFunction>();

export async function fetch(input: string, init?: RequestInit): Promise<Response> {
  const headers = new Headers(init?.headers);
  for (const [name, value] of Object.entries(authorization())) if (!headers.has(name)) headers.set(name, value);
  const response = await globalThis.fetch(input, { ...init, headers });
  await checkContract(input, init?.method ?? 'GET', response.clone());
  return response;
}

async function checkContract(input: string, method: string, response: Response): Promise<void> {
  const url = new URL(input);
  const document = await documentOf(url.origin);
  const [template, operations] = findPath(document, url.pathname);
  const operation = operations?.[method.toLowerCase()];
  const where = `${method} ${url.pathname} → ${response.status}`;
  expect(operation, `${where}: the document has no such operation (${template ?? 'no path'})`).toBeDefined();
  const responses = (operation as Operation).responses;
  const declared = responses[String(response.status)] ?? responses[`${String(response.status)[0]}XX`];
  expect(declared, `${where}: status not declared in the document`).toBeDefined();

  const schema = declared?.content?.['application/json']?.schema;
  if (!schema || !(response.headers.get('content-type') ?? '').startsWith('application/json')) return;
  const validate = validators.get(schema) ?? ajv.compile(schema);
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
