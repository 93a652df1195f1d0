import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogFields, Logger } from '../../core/ports.ts';

/** The Logger port on Powertools Logger: JSON lines in CloudWatch with the bound fields (order_id) on each. */
export function powertoolsLogger(logger: PowertoolsLogger, bound: LogFields = {}): Logger {
  const extra = (fields?: LogFields) => ({ ...bound, ...fields });
  return {
    debug: (message, fields) => logger.debug(message, extra(fields)),
    info: (message, fields) => logger.info(message, extra(fields)),
    warn: (message, fields) => logger.warn(message, extra(fields)),
    error: (message, fields) => logger.error(message, extra(fields)),
    child: (fields) => powertoolsLogger(logger, { ...bound, ...fields }),
  };
}
