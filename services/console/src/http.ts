import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifySchema } from 'fastify';
import { IesError } from '@ies/errors';
import type { NodeContext, ServiceHttp } from '@ies/http';
import { signInLinkRoutes } from './sign-in-links.js';
import { loadStaticFiles, type StaticFile } from './static-files.js';

/** Where `npm run build` puts the Vite build of web/ (services/console/dist/web). */
export const CONSOLE_WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web');

/**
 * The browser may load the console's own scripts and styles and talk to this node only: no
 * inline script, no third-party origin, not framed. The token sits in sessionStorage, so the
 * CSP is what keeps injected script from reading it.
 */
/** Not API: left out of /openapi.json (the swagger plugin reads `hide`). */
const HIDDEN = { hide: true } as FastifySchema;

const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The console's front door: the single-page app under /console/ (static files with content
 * types, ETags and cache headers; unknown paths under /console/ get index.html, the app
 * routes on the fragment). Not in the OpenAPI document: it is not API. The app talks to the
 * documented API only, with the user's bearer token.
 */
export function consoleHttp(ctx: Pick<NodeContext, 'logger'> & Partial<Pick<NodeContext, 'config' | 'registry' | 'redis' | 'now'>>, webDir: string = CONSOLE_WEB_DIR): ServiceHttp {
  const files: ReadonlyMap<string, StaticFile> = existsSync(path.join(webDir, 'index.html')) ? loadStaticFiles(webDir) : new Map();
  if (files.size === 0) ctx.logger.warn({ webDir }, 'console not built (no index.html): /console answers 404; run npm run build');
  const send = (reply: FastifyReply, file: StaticFile, ifNoneMatch: string | undefined) => {
    void reply
      .header('content-type', file.contentType)
      .header('cache-control', file.cacheControl)
      .header('etag', file.etag)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', CONTENT_SECURITY_POLICY);
    if (ifNoneMatch === file.etag) return reply.status(304).send();
    return reply.send(file.body);
  };
  return {
    name: 'console',
    plugin: async (app) => {
      if (ctx.config?.console.signInLinks && ctx.registry && ctx.redis && ctx.now) signInLinkRoutes(app, { config: ctx.config, registry: ctx.registry, redis: ctx.redis, now: ctx.now });
      app.get('/console', { schema: HIDDEN }, async (_req, reply) => reply.redirect('/console/', 301));
      app.get('/console/*', { schema: HIDDEN }, async (req, reply) => {
        const index = files.get('/index.html');
        if (!index) throw new IesError('IES_ERR_NOT_FOUND', 'the console is not built on this node (npm run build builds services/console/web)');
        const rest = `/${(req.params as { '*': string })['*']}`;
        const file = rest === '/' ? index : files.get(rest);
        if (file) return send(reply, file, req.headers['if-none-match']);
        // A missing hashed asset is a real 404 (an old index.html asking for a replaced build).
        if (rest.startsWith('/assets/')) throw new IesError('IES_ERR_NOT_FOUND', `no console asset ${rest}`);
        return send(reply, index, req.headers['if-none-match']);
      });
    },
    close: async () => {},
  };
}
