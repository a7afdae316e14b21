// Prints the rollup triggers generated from src/modules/metrics/metric-measures.ts; paste the output
// into a new drizzle migration (`npx drizzle-kit generate --custom --name …`) when the measures change.
import { metricTriggerSql } from '../src/modules/metrics/metric-measures.ts';

process.stdout.write(metricTriggerSql());
