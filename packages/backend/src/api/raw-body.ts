/**
 * Upload routes take the request body as a raw stream: Fastify's body limit would cap uploads and
 * buffering would grow memory with the file. Registered inside an encapsulated scope, so the JSON
 * routes keep their parsers and limits.
 */
import type { FastifyInstance } from "fastify";

export function acceptRawBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  // Leave the body unread: the handler pipes `req.raw` straight into the object store.
  scope.addContentTypeParser("*", (_req, _payload, done) => done(null, undefined));
}
