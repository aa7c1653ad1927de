/**
 * @module runtime/dispatcher/http/errors
 * Every error answer of the HTTP API is JSON `{error, message}` with the right 4xx/5xx status.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../log.js';

/** An error with its HTTP status and a stable machine-readable code. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UnsupportedMediaType', 'send the body as application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BadRequest', 'the Content-Length does not match the body'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PayloadTooLarge', 'the body is larger than the API accepts'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'BadRequest', 'the JSON body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'BadRequest', 'the body is not valid JSON'],
};

/** The app-wide error handler. */
export function handleError(
  err: FastifyError | Error,
  req: FastifyRequest,
  reply: FastifyReply,
  log: Logger,
): FastifyReply {
  if (err instanceof HttpError)
    return reply.status(err.statusCode).send({ error: err.code, message: err.message });
  const code = (err as FastifyError).code;
  const known = code ? FASTIFY_CODES[code] : undefined;
  if (known) return reply.status(known[0]).send({ error: known[1], message: known[2] });
  const status = (err as FastifyError).statusCode;
  if (err instanceof SyntaxError || (status === 400 && /JSON/i.test(err.message))) {
    return reply.status(400).send({ error: 'BadRequest', message: 'the body is not valid JSON' });
  }
  if (status && status >= 400 && status < 500) {
    return reply.status(status).send({ error: 'BadRequest', message: err.message });
  }
  log.error({ err: err.message, method: req.method, url: req.url.split('?')[0] }, 'request failed');
  return reply
    .status(500)
    .send({ error: 'InternalError', message: 'the request failed; see the dispatcher log' });
}
