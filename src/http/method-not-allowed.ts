// 405 with an Allow header, for endpoints whose standard fixes the methods (VOSI: GET only).
import type { RequestHandler } from 'express';

export function methodNotAllowed(allowed: string[]): RequestHandler {
  return (req, res) => {
    res.setHeader('Allow', allowed.join(', '));
    res.status(405).type('text/plain; charset=utf-8').send(`UsageError: method ${req.method} not allowed; use ${allowed.join(' or ')}`);
  };
}
