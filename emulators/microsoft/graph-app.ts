import { Hono } from 'hono';
import { batchRoutes } from './batch';
import { deltaRoutes } from './delta-routes';
import { folderRoutes } from './folder-routes';
import { type GraphDeps, type GraphEnv, graphFail } from './graph-context';
import { graphMiddleware } from './graph-middleware';
import { sendMailRoutes } from './send-mail';
import { userRoutes } from './user-routes';

/** Microsoft Graph v1.0 (mounted under `/v1.0`): the mail endpoints the product uses. */
export function graphApp(deps: GraphDeps): Hono<GraphEnv> {
  const app = new Hono<GraphEnv>();
  app.use('*', graphMiddleware(deps));
  app.route('/', batchRoutes(deps));
  app.route('/', userRoutes());
  // Delta before the folder routes: `/messages/delta` must not be read as a message id.
  app.route('/', deltaRoutes(deps));
  app.route('/', folderRoutes());
  app.route('/', sendMailRoutes(deps));
  app.all('*', (c) => {
    const segment = new URL(c.req.url).pathname.split('/').filter(Boolean).at(-1) ?? '';
    return graphFail(c, 400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
  });
  return app;
}
