// The browser front end (web/, built by `npm run build:web` into web/dist): static files and the single-page
// app's own paths. Mounted after every API router, and the app's paths are listed explicitly, so the fallback
// to index.html can never answer for an API route, a typo under /soda or a missing asset (those stay 404s).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Response } from 'express';
import { ServiceError } from '../errors.js';
import { methodNotAllowed } from './method-not-allowed.js';

export interface WebRouterDeps {
  /** The built front end; default web/dist of this checkout. */
  distDir?: string;
}

/** Paths the front end routes itself (web/src/router.ts); GET on them serves index.html. */
export const webAppPaths: readonly RegExp[] = [
  /^\/$/,
  /^\/nights(\/[^/]+(\/fields\/[^/]+)?)?\/?$/,
  /^\/jobs(\/[A-Za-z0-9_-]{1,64})?\/?$/,
  /^\/sign-in\/?$/,
  /^\/api-reference\/?$/,
  /^\/search\/?$/,
  /^\/frames\/[^/]+\/header\/?$/,
];

/**
 * The nearest web/dist above this file: the checkout's when it runs from src/ (tsx) or the compiled dist/, and
 * /opt/drsoda/web/dist in the service image (deploy/build-image.sh, code in /opt/drsoda/lib/app). Without a
 * build, where the checkout's would be (so the 503 names the command to run).
 */
export function defaultWebDist(): string {
  const start = path.dirname(fileURLToPath(import.meta.url));
  let firstRoot: string | undefined;
  for (let dir = start, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'web', 'dist'))) return path.join(dir, 'web', 'dist');
    if (!firstRoot && existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'web'))) firstRoot = dir;
  }
  return path.join(firstRoot ?? path.resolve('.'), 'web', 'dist');
}

export function createWebRouter(d: WebRouterDeps = {}): Router {
  const dist = d.distDir ?? defaultWebDist();
  const index = path.join(dist, 'index.html');
  const r = Router();
  // Hashed file names under /assets never change: cache them for a year; index.html is revalidated each time.
  r.use(
    '/assets',
    express.static(path.join(dist, 'assets'), {
      index: false,
      fallthrough: true,
      immutable: true,
      maxAge: '365d',
      setHeaders: (res: Response) => res.setHeader('X-Content-Type-Options', 'nosniff'),
    }),
  );
  r.get(webAppPaths as RegExp[], (req, res, next) => {
    // Checked per request, so building the UI while the service runs needs no restart.
    if (!existsSync(index)) {
      next(new ServiceError('ServiceUnavailable', 'the web front end is not built: run `npm run build:web` (the APIs under /soda and /api work without it)'));
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // The page loads only its own scripts and styles, and talks only to this service and to a SAMP hub's Web
    // Profile on this computer (the spectrum viewer's "Send … (SAMP)"; the port is fixed by the SAMP standard).
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self' http://localhost:21012 http://127.0.0.1:21012; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
    );
    res.sendFile(index, (err) => err && next(err));
  });
  r.all(webAppPaths as RegExp[], methodNotAllowed(['GET', 'HEAD']));
  return r;
}
