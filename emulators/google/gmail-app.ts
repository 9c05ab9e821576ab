import { Hono } from 'hono';
import { batchRoutes } from './batch';
import type { GmailDeps, GmailEnv } from './gmail-context';
import { historyRoutes } from './history-routes';
import { messageRoutes } from './message-routes';
import { settingsRoutes } from './settings-routes';
import { threadRoutes } from './thread-routes';

/** The Gmail API v1 (gmail.googleapis.com): `/gmail/v1`, its media upload path, and batch. */
export function gmailApp(deps: GmailDeps): Hono<GmailEnv> {
  const { api, upload } = messageRoutes(deps);
  const v1 = new Hono<GmailEnv>().route('/', api).route('/', threadRoutes(deps)).route('/', historyRoutes(deps)).route('/', settingsRoutes(deps));
  return new Hono<GmailEnv>().route('/gmail/v1', v1).route('/upload/gmail/v1', upload).route('/', batchRoutes(deps));
}
