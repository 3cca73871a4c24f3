/**
 * The seams between the Lambda handlers and the Slack app they load: the Slack function's handler factory and the
 * worker's Slack task runner. Their own module, so the handlers and the Slack app import these types, never each other
 * both ways (no import cycle, type-only included).
 */
import type { LoadedConfig } from '../config/load';
import type { Logger } from '../lib/logger';
import type { LambdaContainer, SlackSecrets } from './container';
import type { HttpApiEvent, HttpApiResult, LambdaContextLike } from './events';

/** Serves one Slack HTTP request (Bolt's AwsLambdaReceiver handler, behind the request hygiene guard). */
export type SlackHttpHandler = (event: HttpApiEvent, context: LambdaContextLike) => Promise<HttpApiResult>;

/**
 * What the Slack adapter gets to build its request handler once per container (and again after a secret rotation).
 * Slow work goes to the worker through the container's work queue (src/lambda/slack-work-queue.ts).
 */
export interface SlackAppInput {
  readonly secrets: SlackSecrets;
  readonly loaded: LoadedConfig;
  readonly container: LambdaContainer;
  readonly logger: Logger;
}

/** Builds the Slack request handler; provided by the Slack adapter. */
export type SlackAppFactory = (input: SlackAppInput) => SlackHttpHandler | Promise<SlackHttpHandler>;

/** Runs one deferred Slack task (the Slack adapter provides it; the payload is whatever the Slack function queued). */
export type SlackTaskRunner = (
  task: unknown,
  input: { readonly container: LambdaContainer; readonly loaded: LoadedConfig; readonly logger: Logger; readonly context?: LambdaContextLike },
) => Promise<void>;
