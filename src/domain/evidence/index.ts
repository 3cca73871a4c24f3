/** Evidence for auditors: leaver SLA reports from the audit log, and point-in-time access from snapshots. */
export * from './access-records';
export * from './leavers';
export * from './snapshot';
export * from './stats';
export * from './owners';
export * from './sessions';
