// The application/json body parser. Replaces Fastify's to be strict where it is
// lenient: invalid UTF-8 is a 400 (not silently U+FFFD in a stored note), and
// __proto__ / constructor.prototype keys are a 400 (not prototype pollution).
import secureJson from 'secure-json-parse';
import type { App } from './app-instance.js';

/** A body the client got wrong; the error handler answers `status` with `code`. */
export class InvalidBodyError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly code: 'invalid_json' | 'invalid_utf8',
    message: string,
  ) {
    super(message);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseJsonStrictly(app: App): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(new InvalidBodyError('invalid_utf8', 'the body is not valid UTF-8'), undefined);
    }
    if (text.trim() === '') return done(new InvalidBodyError('invalid_json', 'the body is empty'), undefined);
    try {
      // secure-json-parse's defaults: a __proto__ key or constructor.prototype is an error.
      done(null, secureJson.parse(text));
    } catch (error) {
      // SyntaxError for both bad JSON and forbidden keys; its message tells which.
      done(new InvalidBodyError('invalid_json', `the body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
}
