import { loadLambdaConfig } from '../../../config.ts';
import { buildStoreOrder } from '../aws-system.ts';
import { lambdaHandler } from '../lambda-handler.ts';

const config = loadLambdaConfig('store-order');

/** The workflow's StoreOrder Task; an OrderConflict or TransientError keeps its name for the ASL Catch/Retry. */
export const handler = lambdaHandler('dofs-store-order', () => buildStoreOrder(config));
