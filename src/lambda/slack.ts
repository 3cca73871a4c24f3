import { createHash } from 'node:crypto';
import { lambdaContainer } from './container';
import type { LambdaContainer } from './container';
import { parseHttpApiEvent } from './events';
import { createSlackLambdaApp } from './slack-app';
import type { HttpApiResult, LambdaContextLike } from './events';
import type { SlackAppFactory, SlackHttpHandler } from './slack-types';

export type { SlackAppFactory, SlackAppInput, SlackHttpHandler } from './slack-types';

export interface SlackHandlerOptions {
  readonly container?: () => Promise<LambdaContainer>;
  readonly app?: SlackAppFactory;
}

/** The only route the HTTP API sends here. */
export const SLACK_EVENTS_PATH = '/slack/events';

const text = (statusCode: number, body: string): HttpApiResult => ({ statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body });

/**
 * The Slack function behind the HTTP API route `POST /slack/events`. Secrets come from Parameter Store
 * (cached per container); the Slack app is built once per container and rebuilt only when a secret or
 * the config changes. Errors never reach the caller beyond a bare status.
 */
export function createSlackHandler(options: SlackHandlerOptions = {}) {
  const getContainer = options.container ?? lambdaContainer;
  let built: { readonly key: string; readonly handler: Promise<SlackHttpHandler> } | undefined;

  return async (event: unknown, context: LambdaContextLike): Promise<HttpApiResult> => {
    const container = await getContainer();
    const parsed = parseHttpApiEvent(event);
    const requestId = parsed.ok ? parsed.value.requestContext.requestId : context.awsRequestId;
    const logger = container.logger(`slack-${requestId}`, { fn: 'slack', requestId: context.awsRequestId });
    if (!parsed.ok) {
      logger.error('not an HTTP API event', { error: parsed.error });
      return text(400, 'bad request');
    }
    const request = parsed.value;
    const method = request.requestContext.http.method.toUpperCase();
    if (request.rawPath !== SLACK_EVENTS_PATH) return text(404, 'not found');
    if (method !== 'POST') return { ...text(405, 'method not allowed'), headers: { allow: 'POST' } };
    const factory = options.app;
    if (factory === undefined) {
      logger.error('the Slack app is not wired into this deployment');
      return text(503, 'unavailable');
    }
    try {
      const [secrets, loaded] = await Promise.all([container.slackSecrets(), container.loadConfig()]);
      const key = createHash('sha256').update(JSON.stringify([secrets.botToken, secrets.signingSecret, loaded.file, loaded.config])).digest('hex');
      if (built?.key !== key) {
        const handler = Promise.resolve(factory({ secrets, loaded, container, logger: container.logger('slack-app', { fn: 'slack' }) }));
        built = { key, handler };
        handler.catch(() => {
          if (built?.handler === handler) built = undefined;
        });
      }
      const serve = await built.handler;
      const response = await serve(request, context);
      logger.info('slack request served', { status: response.statusCode });
      return response;
    } catch (error) {
      logger.error('slack request failed', { error });
      return text(500, 'internal error');
    }
  };
}

/** The Lambda entry point (serverless.yml: `src/lambda/slack.handler`): the Warden Slack app, slow work to the worker. */
export const handler = createSlackHandler({ app: createSlackLambdaApp });
