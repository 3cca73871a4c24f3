/**
 * Run metrics as CloudWatch embedded metric format (EMF) log lines: CloudWatch Logs extracts them into metrics, so the
 * functions need no `cloudwatch:PutMetricData` permission and a metric costs one log line. The heartbeat alarm in
 * serverless.yml watches `ReconcileCompleted`.
 */

/** Metric names Warden emits, each a count. */
export type MetricName = 'ReconcileCompleted' | 'GuardTripped' | 'ActionsFailed' | 'Revocations';

export type MetricValues = Partial<Readonly<Record<MetricName, number>>>;

export interface EmfInput {
  readonly namespace: string;
  /** The `Stack` dimension (service and stage), so two stages in one account alarm separately. */
  readonly stack: string;
  readonly values: MetricValues;
  /** Extra properties on the line (runId, account): searchable in Logs Insights, not dimensions. */
  readonly fields: Readonly<Record<string, string>>;
  readonly at: Date;
}

/** One EMF document (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html). */
export function emfLine(input: EmfInput): string {
  const entries = Object.entries(input.values).filter((e): e is [MetricName, number] => typeof e[1] === 'number' && Number.isFinite(e[1]));
  const document = {
    // Fields first, so metric names and the dimension always win over a field of the same name.
    ...input.fields,
    _aws: {
      Timestamp: input.at.getTime(),
      CloudWatchMetrics: [{ Namespace: input.namespace, Dimensions: [['Stack']], Metrics: entries.map(([name]) => ({ Name: name, Unit: 'Count' })) }],
    },
    Stack: input.stack,
    ...Object.fromEntries(entries),
  };
  return JSON.stringify(document);
}
